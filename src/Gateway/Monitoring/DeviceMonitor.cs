using System.Collections.Concurrent;
using SmartCity.Edge.Gateway.Pipeline;

namespace SmartCity.Edge.Gateway.Monitoring;

/// <summary>
/// What one device supervisor reports about itself: state, last error, poll latency, errors by kind, and whether a
/// driver call (connect or poll) is outstanding right now and since when — the input of the "device stuck" check.
/// </summary>
internal sealed class DeviceMonitor
{
    private readonly ConcurrentDictionary<string, long> _errorsByKind = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DeviceGauge> _gauges = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private long _readings;
    private long _operationStartedTimestamp;

    public DeviceMonitor(string deviceId, string driver, TimeSpan pollInterval, TimeProvider time)
    {
        DeviceId = deviceId;
        Driver = driver;
        PollInterval = pollInterval;
        _time = time;
    }

    public string DeviceId { get; }

    public string Driver { get; }

    public TimeSpan PollInterval { get; }

    /// <summary>
    /// A driver call outstanding longer than this counts as stuck: drivers bound every I/O with their own timeouts
    /// (seconds), so a minute — or ten poll intervals for slow schedules — means a driver is hung, not slow.
    /// </summary>
    public TimeSpan StuckAfter => PollInterval * 10 > TimeSpan.FromMinutes(1) ? PollInterval * 10 : TimeSpan.FromMinutes(1);

    public DeviceState State { get; set; } = DeviceState.Starting;

    public string? LastError { get; set; }

    public LatencyHistogram PollLatency { get; } = new();

    public long Readings => Interlocked.Read(ref _readings);

    public IReadOnlyDictionary<string, long> ErrorsByKind => _errorsByKind;

    /// <summary>Gauges the device's driver reported (<see cref="SmartCity.Edge.Drivers.IDeviceGaugeSink"/>), by metric name.</summary>
    public IReadOnlyDictionary<string, DeviceGauge> Gauges => _gauges;

    public void SetGauge(string name, string help, Func<double> read) => _gauges[name] = new DeviceGauge(help, read);

    public void CountReading() => Interlocked.Increment(ref _readings);

    public void CountError(string kind) => _errorsByKind.AddOrUpdate(kind, 1, static (_, n) => n + 1);

    /// <summary>Marks the start of a driver call (connect or poll); returns the timestamp to pass to <see cref="EndOperation"/>.</summary>
    public long BeginOperation()
    {
        long now = _time.GetTimestamp();
        Interlocked.Exchange(ref _operationStartedTimestamp, now);
        return now;
    }

    /// <summary>Marks the end of a driver call; returns how long it took.</summary>
    public TimeSpan EndOperation(long started)
    {
        Interlocked.Exchange(ref _operationStartedTimestamp, 0);
        return _time.GetElapsedTime(started);
    }

    /// <summary>How long the outstanding driver call has been running, or null when none is.</summary>
    public TimeSpan? OutstandingFor()
    {
        long started = Interlocked.Read(ref _operationStartedTimestamp);
        return started == 0 ? null : _time.GetElapsedTime(started);
    }

    public bool IsStuck => OutstandingFor() is { } running && running > StuckAfter;
}
