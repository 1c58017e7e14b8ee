using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Drivers.Simulator;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Pipeline;
using SmartCity.Edge.Gateway.Upstream;
using SmartCity.Edge.Gateway.Upstream.Json;

namespace SmartCity.Edge.Bench.Pipeline;

/// <summary>
/// Readings pushed as fast as the pipeline takes them through the real stages — processing (alarms, report-by-exception,
/// encoding), the durable SQLite buffer (WAL, synchronous=FULL) and the MQTT forwarder (QoS 1, PUBACK before delete) —
/// to a local mosquitto started by the benchmark. Throughput counts a reading only once the broker acknowledged it.
/// </summary>
internal sealed class PipelineBenchmark : IBenchmark
{
    public string Name => "pipeline";

    public string Description => "readings/s through processing → durable buffer → MQTT QoS 1 to a local mosquitto [--seconds 10] [--devices 100] [--tags 10]";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int seconds = BenchEnvironment.IntOption(args, "--seconds", 10);
        int deviceCount = BenchEnvironment.IntOption(args, "--devices", 100);
        int tagsPerDevice = BenchEnvironment.IntOption(args, "--tags", 10);
        string directory = Directory.CreateTempSubdirectory("edge-bench-").FullName;
        await using LocalMosquitto broker = await LocalMosquitto.StartAsync(cancellationToken);
        int port = broker.Port;

        try
        {
            Result result = await MeasureAsync(directory, port, seconds, deviceCount, tagsPerDevice, broker, cancellationToken);
            string command = $"dotnet run -c Release --project bench/SmartCity.Edge.Bench -- pipeline --seconds {seconds} --devices {deviceCount} --tags {tagsPerDevice}";
            string markdown = $"""
                ## Pipeline: processing → durable buffer → MQTT (issue 2)

                `{command}` — {BenchmarkReport.MachineLine()}, mosquitto {LocalMosquitto.Version()} on loopback.

                {deviceCount} devices × {tagsPerDevice} tags, every reading a new value (no deadband suppression), producers
                limited only by the bounded channel. Durable buffer: SQLite WAL, `synchronous=FULL`. MQTT QoS 1; a reading
                counts once the broker's PUBACK for it came back and it was deleted from the buffer.

                | figure | value |
                |---|---|
                | readings acknowledged by the broker | {result.Readings:N0} in {result.Elapsed.TotalSeconds:0.00} s |
                | **sustained throughput** | **{result.Readings / result.Elapsed.TotalSeconds:N0} readings/s** (target ≥ 50,000) |
                | gateway CPU per reading | {result.GatewayCpu.TotalMicroseconds / result.Readings:0.00} µs |
                | mosquitto CPU per reading | {result.BrokerCpu.TotalMicroseconds / result.Readings:0.00} µs |
                | MQTT messages (batches of ≤ 500 readings per device) | {result.Messages:N0} |
                | peak RSS of the gateway process | {result.PeakRssBytes / (1024.0 * 1024.0):0.0} MiB |
                | backlog left when producers stopped | {result.BacklogAtStop:N0} readings (drained before the clock stopped) |
                """;
            Console.WriteLine(markdown);
            BenchmarkReport.WriteSection("pipeline", markdown);
            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<Result> MeasureAsync(string directory, int port, int seconds, int deviceCount, int tagsPerDevice, LocalMosquitto broker, CancellationToken cancellationToken)
    {
        var simulator = new SimulatorDriverFactory();
        var devices = Enumerable.Range(0, deviceCount).Select(d =>
        {
            var tags = Enumerable.Range(0, tagsPerDevice).Select(t => new TagConfiguration($"tag_{t}", null, 0)).ToArray();
            var descriptor = new DeviceDescriptor($"device-{d}", "simulator", TimeSpan.FromSeconds(1), tags.Select(t => new TagDescriptor(t.Id, null)).ToArray());
            return new DeviceConfiguration(descriptor, simulator, new SimulatorSettings([], 0), tags);
        }).ToArray();
        var mqttConfiguration = new MqttUpstreamConfiguration("127.0.0.1", port, false, null, "bench-gw", null, null, Qos: 1, MaxBatch: 500);
        var configuration = new GatewayConfiguration(
            "bench",
            new GatewayIdentity("bench-gw", "bench", directory),
            devices,
            [],
            new BufferOptions { DataDirectory = directory, MaxDiskBytes = 4L << 30 },
            new UpstreamConfiguration(mqttConfiguration, false, "smartcity/bench/bench-gw"));

        var time = TimeProvider.System;
        await using var buffer = new SqliteDurableBuffer(configuration.Buffer, NullLogger<SqliteDurableBuffer>.Instance, time);
        var channel = new ReadingChannel();
        var topics = new UpstreamTopics(configuration.Upstream.TopicPrefix);
        await using var mqtt = new MqttPublisher(mqttConfiguration, topics, NullLogger.Instance);
        using var processing = new ProcessingService(channel, buffer, configuration, time, NullLogger<ProcessingService>.Instance);
        using var forwarder = new ForwarderService(buffer, [new UpstreamTarget(BufferOptions.DefaultUpstream, mqtt, new JsonUpstreamEncoder(topics, "bench-gw", mqttConfiguration.MaxBatch))], time, NullLogger<ForwarderService>.Instance);
        await processing.StartAsync(cancellationToken);
        await forwarder.StartAsync(cancellationToken);

        Process self = Process.GetCurrentProcess();
        TimeSpan cpuStart = self.TotalProcessorTime;
        TimeSpan brokerCpuStart = ProcessCpu(broker.ProcessId);
        var clock = Stopwatch.StartNew();
        using var produce = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        produce.CancelAfter(TimeSpan.FromSeconds(seconds));

        // Two producers (one per core) sharing the devices, each value one more than the last so every reading passes.
        long produced = 0;
        Task[] producers = Enumerable.Range(0, 2).Select(p => Task.Run(async () =>
        {
            long count = 0;
            long value = 0;
            DateTimeOffset now = time.GetUtcNow();
            try
            {
                while (!produce.IsCancellationRequested)
                {
                    value++;
                    for (int d = p; d < devices.Length; d += 2)
                    {
                        // One frame per device poll, as a driver hands it over.
                        DeviceConfiguration device = devices[d];
                        ReadingFrame frame = channel.Pool.Rent();
                        for (int t = 0; t < device.Tags.Count; t++)
                        {
                            frame.AddGood(t, TagValue.FromInt64(value), now);
                        }

                        await channel.Writer.WriteAsync(new PipelineFrame(device.Table, frame), produce.Token);
                        count += device.Tags.Count;
                    }

                    now = time.GetUtcNow();
                }
            }
            catch (OperationCanceledException)
            {
            }

            Interlocked.Add(ref produced, count);
        })).ToArray();
        await Task.WhenAll(producers);
        channel.Writer.Complete();
        await processing.StopAsync(CancellationToken.None); // drains the channel into the buffer
        long backlogAtStop = buffer.GetStatistics().TelemetryCount;

        while (buffer.GetStatistics().TelemetryCount > 0)
        {
            await Task.Delay(10, cancellationToken);
        }

        TimeSpan elapsed = clock.Elapsed;
        TimeSpan cpu = self.TotalProcessorTime - cpuStart;
        TimeSpan brokerCpu = ProcessCpu(broker.ProcessId) - brokerCpuStart;
        await forwarder.StopAsync(CancellationToken.None);
        self.Refresh();
        return new Result(produced, elapsed, cpu, brokerCpu, forwarder.PublishedMessages, self.PeakWorkingSet64, backlogAtStop);
    }

    /// <summary>utime + stime of another process from /proc (clock ticks of 10 ms on Linux).</summary>
    private static TimeSpan ProcessCpu(int pid)
    {
        string[] fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    private sealed record Result(long Readings, TimeSpan Elapsed, TimeSpan GatewayCpu, TimeSpan BrokerCpu, long Messages, long PeakRssBytes, long BacklogAtStop);
}
