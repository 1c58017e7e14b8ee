using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Protocol;
using SmartCity.Edge.Bench.EndToEnd;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Buffer.Storage;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Pipeline;
using SmartCity.Edge.Gateway.Upstream;
using SmartCity.Edge.Gateway.Upstream.Json;

namespace SmartCity.Edge.Bench.Drain;

/// <summary>
/// The end of a long outage (issue 15 item 5): a durable buffer holding a backlog of telemetry drains through the real
/// MQTT forwarder (QoS 1, PUBACK before delete) to a local mosquitto, while live alarm transitions keep coming. Reports
/// points/s drained, CPU-µs per point of the gateway beside the broker's (the peer in the same run, as a ratio), RSS,
/// and the latency of each live alarm from its commit to a subscriber's receipt — alarms go ahead of the backlog.
/// </summary>
internal sealed class DrainBenchmark : IBenchmark
{
    public string Name => "drain";

    public string Description => "backlog drain after an outage: points/s to mosquitto QoS 1, live alarm latency meanwhile [--readings 1000000] [--devices 100] [--alarm-ms 50]";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int readings = BenchEnvironment.IntOption(args, "--readings", 1_000_000);
        int devices = BenchEnvironment.IntOption(args, "--devices", 100);
        int alarmMs = BenchEnvironment.IntOption(args, "--alarm-ms", 50);
        string directory = Directory.CreateTempSubdirectory("edge-bench-drain-").FullName;
        await using LocalMosquitto broker = await LocalMosquitto.StartAsync(cancellationToken);
        string pinning = PinBroker(broker.ProcessId);
        try
        {
            Result r = await MeasureAsync(directory, broker, readings, devices, alarmMs, cancellationToken);
            string command = $"taskset -c 1 dotnet run -c Release --project bench/SmartCity.Edge.Bench -- drain --readings {readings} --devices {devices} --alarm-ms {alarmMs}";
            string markdown = $"""
                ## Drain after a long outage (issue 15 item 5)

                `{command}` — {BenchmarkReport.MachineLine()}, mosquitto {LocalMosquitto.Version()} on loopback ({pinning}).

                A buffer holding {readings:N0} readings ({devices} devices, frames of 10 readings, as polls store them) drains
                through the real forwarder (JSON, `max_batch` 500, QoS 1, PUBACK before the delete commit) while one alarm
                transition is committed every {alarmMs} ms. Alarm latency: from the alarm's commit to its receipt by a
                subscriber on the same broker.

                | figure | value |
                |---|---|
                | backlog drained | {r.Readings:N0} readings in {r.Elapsed.TotalSeconds:0.00} s |
                | **drain rate** | **{r.Readings / r.Elapsed.TotalSeconds:N0} points/s** (target ≥ 20,000) |
                | gateway CPU per point | {r.GatewayCpu.TotalMicroseconds / r.Readings:0.00} µs |
                | mosquitto CPU per point (peer, same run) | {r.BrokerCpu.TotalMicroseconds / r.Readings:0.00} µs (ratio gateway/broker {r.GatewayCpu / r.BrokerCpu:0.00}) |
                | live alarms during the drain | {r.AlarmLatencies.Length} |
                | alarm latency p50 / p99 / max | {Percentile(r.AlarmLatencies, 0.5):0.0} / {Percentile(r.AlarmLatencies, 0.99):0.0} / {(r.AlarmLatencies.Length == 0 ? 0 : r.AlarmLatencies.Max()):0.0} ms |
                | peak RSS of the benchmark process (gateway stages in-process) | {r.PeakRssBytes / (1024.0 * 1024.0):0.0} MiB |
                """;
            Console.WriteLine(markdown);
            BenchmarkReport.WriteSection("drain", markdown);
            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<Result> MeasureAsync(string directory, LocalMosquitto broker, int readingCount, int deviceCount, int alarmMs, CancellationToken cancellationToken)
    {
        const string Prefix = "smartcity/bench/drain-gw";
        var time = TimeProvider.System;
        await using var buffer = new SqliteDurableBuffer(new BufferOptions { DataDirectory = directory, MaxDiskBytes = 4L << 30 }, NullLogger<SqliteDurableBuffer>.Instance, time);
        await FillAsync(buffer, readingCount, deviceCount, cancellationToken);

        // The subscriber that times the alarms.
        var received = new ConcurrentDictionary<long, long>();
        IMqttClient subscriber = new MqttClientFactory().CreateMqttClient();
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            long now = Stopwatch.GetTimestamp();
            using JsonDocument json = JsonDocument.Parse(e.ApplicationMessage.Payload);
            received.TryAdd(json.RootElement.GetProperty("seq").GetInt64(), now);
            return Task.CompletedTask;
        };
        await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("drain-bench-alarms").WithCleanSession().Build(), cancellationToken);
        await subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(Prefix + "/alarms", MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken);

        var mqttConfiguration = new MqttUpstreamConfiguration("127.0.0.1", broker.Port, false, null, "drain-gw", null, null, Qos: 1, MaxBatch: 500);
        var topics = new UpstreamTopics(Prefix);
        await using var mqtt = new MqttPublisher(mqttConfiguration, topics, NullLogger.Instance);
        using var forwarder = new ForwarderService(buffer, [new UpstreamTarget(BufferOptions.DefaultUpstream, mqtt, new JsonUpstreamEncoder(topics, "drain-gw", mqttConfiguration.MaxBatch))], time, NullLogger<ForwarderService>.Instance);

        Process self = Process.GetCurrentProcess();
        TimeSpan cpuStart = self.TotalProcessorTime;
        TimeSpan brokerCpuStart = ProcessMeter.CpuTime(broker.ProcessId);
        var clock = Stopwatch.StartNew();
        await forwarder.StartAsync(cancellationToken);

        // Live alarms while the backlog drains: committed at a steady pace, each timed from its commit.
        var committed = new ConcurrentDictionary<long, long>();
        using var stopAlarms = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task alarms = Task.Run(async () =>
        {
            using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(alarmMs));
            int i = 0;
            while (await tick.WaitForNextTickAsync(stopAlarms.Token).ConfigureAwait(false))
            {
                i++;
                var record = new AlarmRecord("a" + (i % 8), i % 2 == 0 ? AlarmLifecycle.Active : AlarmLifecycle.Cleared, i % 2 == 0 ? AlarmLifecycle.Cleared : AlarmLifecycle.Active,
                    AlarmSeverity.Critical, "device-0", "tag_0", TagValue.FromInt64(i), "live alarm " + i, time.GetUtcNow());
                long seq = await buffer.AppendAsync([BufferEntry.ForAlarm(record)], CancellationToken.None).ConfigureAwait(false);
                committed[seq] = Stopwatch.GetTimestamp();
            }
        });

        while (buffer.GetStatistics().TelemetryCount > 0)
        {
            await Task.Delay(10, cancellationToken);
        }

        TimeSpan elapsed = clock.Elapsed;
        TimeSpan cpu = self.TotalProcessorTime - cpuStart;
        TimeSpan brokerCpu = ProcessMeter.CpuTime(broker.ProcessId) - brokerCpuStart;
        await stopAlarms.CancelAsync();
        try
        {
            await alarms;
        }
        catch (OperationCanceledException)
        {
        }

        // The last alarms committed before the stop still go out; wait for them (bounded) so none is counted as lost.
        var wait = Stopwatch.StartNew();
        while (committed.Keys.Any(seq => !received.ContainsKey(seq)) && wait.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(10, cancellationToken);
        }

        await forwarder.StopAsync(CancellationToken.None);
        await subscriber.DisconnectAsync(cancellationToken: CancellationToken.None);
        int missing = committed.Keys.Count(seq => !received.ContainsKey(seq));
        if (missing > 0)
        {
            throw new InvalidOperationException($"{missing} of {committed.Count} live alarms never arrived");
        }

        double[] latencies = committed.Select(c => Stopwatch.GetElapsedTime(c.Value, received[c.Key]).TotalMilliseconds).OrderBy(x => x).ToArray();
        self.Refresh();
        return new Result(readingCount, elapsed, cpu, brokerCpu, latencies, self.PeakWorkingSet64);
    }

    /// <summary>The backlog: frames of 10 readings, devices in turn, appended in batches as the pipeline commits them.</summary>
    private static async Task FillAsync(SqliteDurableBuffer buffer, int readingCount, int deviceCount, CancellationToken cancellationToken)
    {
        const int PerFrame = 10;
        TagTable[] tables = Enumerable.Range(0, deviceCount)
            .Select(d => new TagTable($"device-{d}", Enumerable.Range(0, PerFrame).Select(t => new TagTableEntry($"tag_{t}", TagDataType.Int64))))
            .ToArray();
        int[] all = Enumerable.Range(0, PerFrame).ToArray();
        var writer = new FrameBodyWriter();
        DateTimeOffset ts = DateTimeOffset.UtcNow;
        var entries = new List<BufferEntry>();
        var readings = new TagReading[PerFrame];
        for (int done = 0, frame = 0; done < readingCount; frame++)
        {
            var body = new ArrayBufferWriter<byte>();
            for (int t = 0; t < PerFrame; t++)
            {
                readings[t] = TagReading.Good(t, TagValue.FromInt64(frame), ts);
            }

            writer.Write(body, readings, all);
            entries.Add(BufferEntry.Frame(tables[frame % deviceCount], body.WrittenMemory, PerFrame));
            done += PerFrame;
            if (entries.Count == 200 || done >= readingCount)
            {
                await buffer.AppendAsync(entries.ToArray(), cancellationToken);
                entries.Clear();
            }
        }
    }

    /// <summary>Moves the broker to CPU 0 (the benchmark runs under <c>taskset -c 1</c>), so the two do not share a core.</summary>
    private static string PinBroker(int pid)
    {
        // Environment.ProcessorCount counts only the cores of our own affinity mask, so it says 1 under taskset: ask the machine.
        if (!File.Exists("/usr/bin/taskset") || !File.ReadAllText("/sys/devices/system/cpu/online").Contains('-', StringComparison.Ordinal))
        {
            return "broker not pinned";
        }

        using Process? pin = Process.Start(new ProcessStartInfo("/usr/bin/taskset", ["-cp", "0", pid.ToString(CultureInfo.InvariantCulture)]) { RedirectStandardOutput = true });
        pin?.WaitForExit();
        return "broker pinned to CPU 0";
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private sealed record Result(long Readings, TimeSpan Elapsed, TimeSpan GatewayCpu, TimeSpan BrokerCpu, double[] AlarmLatencies, long PeakRssBytes);
}
