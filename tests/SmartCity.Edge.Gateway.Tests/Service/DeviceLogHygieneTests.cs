using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Hosting;
using SmartCity.Edge.Gateway.Monitoring;
using SmartCity.Edge.Gateway.Pipeline;

namespace SmartCity.Edge.Gateway.Tests.Service;

/// <summary>A device that stays down must not flood the journal: one line when it goes down, then a summary a minute.</summary>
public sealed class DeviceLogHygieneTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-hygiene-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task DeviceSupervisor_DeviceDownForThirtyMinutes_LogsOfflineOnceThenAtMostOneSummaryPerMinute()
    {
        // The real GPIO driver on a chip this machine does not have: every connect fails with a DeviceException.
        int chip = Enumerable.Range(7, 100).First(n => !File.Exists($"/dev/gpiochip{n}"));
        var loader = new GatewayConfigurationLoader(GatewayHost.CreateDriverFactories());
        ConfigurationLoadResult result = loader.Load($"""
            gateway:
              id: hygiene-gw
            devices:
              - id: cabinet-io
                driver: gpio
                gpio_chip: {chip}
                poll_interval: 200ms
                tags:
                  - id: door_contact
                    pin: 17
            upstream:
              console: true
            """, "hygiene.yaml", _directory);
        DeviceConfiguration device = Assert.Single(result.Configuration!.Devices);

        var fake = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
        var time = new ObservedTimeProvider(fake);
        var logger = new TimedLogger(time);
        var monitor = new DeviceMonitor(device.Id, "gpio", device.Descriptor.PollInterval, time);
        var readings = new ReadingChannel();
        var supervisor = new DeviceSupervisor(device, readings.CreateSink(device.Table), new DriverContext(NullLoggerFactory.Instance, time, _directory), logger, monitor);
        using var cts = new CancellationTokenSource();
        Task running = supervisor.RunAsync(cts.Token);

        // Thirty simulated minutes in one-second steps, each taken only while the supervisor waits for its retry
        // (the retry itself may run on the pool, late on a loaded machine).
        for (int second = 0; second < 30 * 60; second++)
        {
            await time.WaitUntilParkedAsync(TestTimeouts.Short);
            fake.Advance(TimeSpan.FromSeconds(1));
        }

        await time.WaitUntilParkedAsync(TestTimeouts.Short);

        Assert.Equal(DeviceState.Offline, monitor.State);
        await cts.CancelAsync();
        await running.WaitAsync(TestTimeouts.Short);
        Assert.Equal(DeviceState.Stopped, monitor.State);

        long failures = monitor.ErrorsByKind.Values.Sum();
        (DateTimeOffset At, int EventId, string Message)[] lines = logger.Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => (e.At, e.EventId, e.Message)).ToArray();
        Assert.True(failures >= 20, $"only {failures} connect attempts in 30 simulated minutes; timers armed {time.Armed}");
        Assert.Single(lines, l => l.EventId == 1001);
        Assert.Contains($"/dev/gpiochip{chip}", lines.Single(l => l.EventId == 1001).Message, StringComparison.Ordinal);

        (DateTimeOffset At, int EventId, string Message)[] summaries = lines.Where(l => l.EventId == 1002).ToArray();
        Assert.All(lines, l => Assert.Contains(l.EventId, new[] { 1001, 1002 }));
        Assert.InRange(summaries.Length, 10, 31);
        for (int i = 1; i < summaries.Length; i++)
        {
            Assert.True(summaries[i].At - summaries[i - 1].At >= TimeSpan.FromMinutes(1), $"two summaries within a minute: {summaries[i - 1].At:T} and {summaries[i].At:T}");
        }

        Assert.True(lines.Length < failures, $"{lines.Length} warning lines for {failures} failures");

        // Consumers saw the outage once: one bad reading per tag, not one per attempt.
        // One frame of stale readings for the whole outage: the tag, bad with the reason.
        Assert.True(readings.Reader.TryRead(out PipelineFrame stale));
        Assert.Equal((0, Quality.Bad), (stale.Frame[0].TagIndex, stale.Frame[0].Quality));
        Assert.Equal(1, stale.Frame.Count);
        Assert.False(readings.Reader.TryRead(out _));
        Assert.Single(monitor.ErrorsByKind); // one failure kind, counted for /metrics
    }

    /// <summary>Keeps warning-and-above entries with the simulated time they were logged at.</summary>
    private sealed class TimedLogger(TimeProvider time) : ILogger
    {
        public ConcurrentQueue<(DateTimeOffset At, int EventId, string Message, LogLevel Level)> All { get; } = new();

        public IEnumerable<(DateTimeOffset At, int EventId, string Message, LogLevel Level)> Entries => All;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            All.Enqueue((time.GetUtcNow(), eventId.Id, formatter(state, exception), logLevel));
    }
}
