using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SmartCity.Edge.Bench.EndToEnd;

/// <summary>
/// Issue 12's measurement: the real gateway binary (native AOT, and the JIT build on request) and Node-RED doing the
/// same job in the same invocation — poll N Modbus TCP devices whose every register changes at every poll (a C
/// server on libmodbus, bench/peers) and publish every reading to mosquitto at QoS 1 — one system after the other
/// against the same peers. Each system runs pinned to one core (<c>--system-cpu</c>, default 1) and everything else
/// (this process and the subscriber in it, mosquitto, the Modbus server) to the other (<c>--peer-cpu</c>, default 0).
/// After a warm-up, a window of <c>--seconds</c> gives per system: points/s delivered at the broker, CPU-µs per point
/// (utime+stime of the process over the window / points delivered in it), RSS, bytes written to disk and bytes sent
/// to the broker per point.
/// </summary>
internal sealed partial class EndToEndBenchmark : IBenchmark
{
    private const string BrokerConfiguration = "sys_interval 1\nmax_queued_messages 100000";

    public string Name => "e2e";

    public string Description => "gateway (native AOT / JIT) vs Node-RED: Modbus TCP → MQTT QoS 1, points/s, CPU-µs/point, RSS, disk and wire bytes/point " + EndToEndOptions.Usage;

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        EndToEndOptions options;
        try
        {
            options = EndToEndOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"e2e: {e.Message}");
            return 2;
        }

        if (!File.Exists("/usr/bin/taskset") || Math.Max(options.SystemCpu, options.PeerCpu) >= Environment.ProcessorCount || options.SystemCpu == options.PeerCpu)
        {
            Console.Error.WriteLine($"e2e: needs taskset and two distinct CPUs (--system-cpu {options.SystemCpu}, --peer-cpu {options.PeerCpu}; this machine has {Environment.ProcessorCount})");
            return 2;
        }

        string work = Directory.CreateTempSubdirectory("edge-e2e-").FullName;
        string dataRoot = options.DataDirectory is { } d ? Directory.CreateDirectory(Path.Combine(d, Path.GetFileName(work))).FullName : Path.Combine(work, "data");
        Directory.CreateDirectory(dataRoot);
        try
        {
            var descriptions = new Dictionary<string, (string Description, Func<string, string, SystemUnderTest> Create)>();
            if (options.Systems.Contains(EndToEndOptions.Aot))
            {
                string native = options.NativeBinary ?? await NativeBuild.PublishAsync(Name, Path.Combine(work, "native"), cancellationToken);
                string description = $"smartcity-edge, native AOT ({Provenance(options.NativeBinary)})";
                descriptions[EndToEndOptions.Aot] = (description, (run, data) => new GatewayUnderTest(EndToEndOptions.Aot, description, native, [], run, data));
            }

            if (options.Systems.Contains(EndToEndOptions.Jit))
            {
                string jit = options.JitAssembly ?? Path.Combine(AppContext.BaseDirectory, "smartcity-edge.dll");
                string description = $"smartcity-edge, JIT `dotnet smartcity-edge.dll` ({Provenance(options.JitAssembly)})";
                descriptions[EndToEndOptions.Jit] = (description, (run, data) => new GatewayUnderTest(EndToEndOptions.Jit, description, "dotnet", [jit], run, data));
            }

            if (options.Systems.Contains(EndToEndOptions.NodeRed))
            {
                await NodeRedUnderTest.EnsureInstalledAsync(cancellationToken);
                descriptions[EndToEndOptions.NodeRed] = (new NodeRedUnderTest(Path.Combine(work, "probe")).Description, (run, _) => new NodeRedUnderTest(run));
            }

            string fileSystem = ProcessMeter.FileSystemType(dataRoot);
            if (fileSystem is "tmpfs" or "ramfs")
            {
                Console.WriteLine($"e2e: WARNING {dataRoot} is on {fileSystem}: write_bytes stays 0 there; pass --data-dir on a real disk");
            }

            // Everything started from here on inherits the peers' core; each system is started under its own taskset.
            await BenchProcess.RunToEndAsync("taskset", ["-a", "-p", "-c", options.PeerCpu.ToString(CultureInfo.InvariantCulture), Environment.ProcessId.ToString(CultureInfo.InvariantCulture)], cancellationToken);
            string loadBefore = LoadAverage();
            await using LocalMosquitto broker = await LocalMosquitto.StartAsync(BrokerConfiguration, cancellationToken);
            await using TelemetryCounter counter = await TelemetryCounter.ConnectAsync(broker.Port, cancellationToken);
            var results = new List<SystemResult>();
            foreach (LoadShape shape in options.Shapes)
            {
                await using ModbusBenchServer server = await ModbusBenchServer.StartAsync(shape, cancellationToken);
                Console.WriteLine($"e2e: shape {shape.Describe()}: {shape.OfferedPointsPerSecond:N0} points/s offered by {shape.Devices} devices (ports {server.Ports[0]}…)");
                foreach (string system in options.Systems)
                {
                    string run = Path.Combine(work, $"{system}-{shape.Devices}x{shape.Tags}");
                    string data = Path.Combine(dataRoot, $"{system}-{shape.Devices}x{shape.Tags}");
                    await using SystemUnderTest sut = descriptions[system].Create(run, data);
                    SystemResult result = await MeasureAsync(sut, shape, server, broker, counter, options, cancellationToken);
                    results.Add(result);
                    Console.WriteLine(result.ConsoleLine());
                }
            }

            string report = Report(options, results, fileSystem, loadBefore, LoadAverage());
            Console.WriteLine();
            Console.WriteLine(report);
            if (options.WriteReport)
            {
                BenchmarkReport.WriteSection(options.Label is null ? "e2e" : "e2e-" + Slug(options.Label), report);
            }

            List<SystemResult> behind = results.Where(r => !r.KeptUp).ToList();
            foreach (SystemResult r in behind)
            {
                Console.Error.WriteLine($"e2e: FAILED to keep up: {r.System} on {r.Shape} delivered {r.DeliveredShare:P1} of the offered points (< {SystemResult.KeepUpShare:P0})");
            }

            return behind.Count == 0 ? 0 : 3;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
            if (options.DataDirectory is not null && Directory.Exists(dataRoot))
            {
                Directory.Delete(dataRoot, recursive: true);
            }
        }
    }

    private static async Task<SystemResult> MeasureAsync(
        SystemUnderTest sut, LoadShape shape, ModbusBenchServer server, LocalMosquitto broker, TelemetryCounter counter, EndToEndOptions options, CancellationToken cancellationToken)
    {
        SystemTally tally = counter.For(sut.Name);
        long before = tally.Points;
        await sut.StartAsync(shape, server.Ports, broker.Port, options.SystemCpu, cancellationToken);
        Console.WriteLine($"e2e: {sut.Name} started (pid {sut.ProcessId}, {sut.RunDirectory}); waiting for its first points at the broker");
        var started = Stopwatch.StartNew();
        while (tally.Points == before)
        {
            ThrowIfExited(sut);
            if (started.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new InvalidOperationException($"e2e: {sut.Name} delivered nothing to the broker within 2 minutes. Its output:\n{sut.LogTail()}");
            }

            await Task.Delay(100, cancellationToken);
        }

        Console.WriteLine($"e2e: {sut.Name} delivers after {started.Elapsed.TotalSeconds:0.0} s; warm-up {options.WarmupSeconds} s, then {options.Seconds} s measured");
        await Task.Delay(TimeSpan.FromSeconds(options.WarmupSeconds), cancellationToken);
        ThrowIfExited(sut);

        int pid = sut.ProcessId;
        long wire0 = await BrokerConnections.BytesSentAsync(pid, broker.Port, cancellationToken);
        long registers0 = await server.RegistersReadAsync(cancellationToken);
        long dropped0 = counter.BrokerDropped;
        TimeSpan brokerCpu0 = ProcessMeter.CpuTime(broker.ProcessId);
        TimeSpan subscriberCpu0 = ProcessMeter.CpuTime(Environment.ProcessId);
        ProcessSample sample0 = ProcessMeter.Sample(pid);
        TallySnapshot delivered0 = tally.Snapshot();
        long t0 = Stopwatch.GetTimestamp();

        var rssSamples = new List<long>();
        while (Stopwatch.GetElapsedTime(t0) < TimeSpan.FromSeconds(options.Seconds))
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            ThrowIfExited(sut);
            rssSamples.Add(ProcessMeter.Memory(pid).Rss);
        }

        TallySnapshot delivered1 = tally.Snapshot();
        ProcessSample sample1 = ProcessMeter.Sample(pid);
        double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        TimeSpan subscriberCpu1 = ProcessMeter.CpuTime(Environment.ProcessId);
        TimeSpan brokerCpu1 = ProcessMeter.CpuTime(broker.ProcessId);
        long dropped1 = counter.BrokerDropped;
        long registers1 = await server.RegistersReadAsync(cancellationToken);
        long wire1 = await BrokerConnections.BytesSentAsync(pid, broker.Port, cancellationToken);
        (long _, long peak) = ProcessMeter.Memory(pid);
        MemoryBreakdown? memory = options.Breakdown && sut.IsGateway
            ? MemoryBreakdown.Read(pid, await sut.ManagedHeapBytesAsync(cancellationToken))
            : null;

        return new SystemResult(
            sut.Name,
            sut.Description,
            shape,
            seconds,
            delivered1.Minus(delivered0),
            registers1 - registers0,
            sample1.Cpu - sample0.Cpu,
            sample1.RunQueueWait - sample0.RunQueueWait,
            brokerCpu1 - brokerCpu0,
            subscriberCpu1 - subscriberCpu0,
            sample1.WriteBytes - sample0.WriteBytes,
            wire1 - wire0,
            (long)rssSamples.Average(),
            peak,
            dropped0 < 0 || dropped1 < 0 ? -1 : dropped1 - dropped0,
            memory);
    }

    private static void ThrowIfExited(SystemUnderTest sut)
    {
        if (sut.HasExited)
        {
            throw new InvalidOperationException($"e2e: {sut.Name} exited. Its output:\n{sut.LogTail()}");
        }
    }

    private static string Report(EndToEndOptions options, List<SystemResult> results, string fileSystem, string loadBefore, string loadAfter)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"## End to end against Node-RED (issue 12){(options.Label is null ? "" : " — " + options.Label)}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"`{options.CommandLine()}` — {BenchmarkReport.MachineLine()}; mosquitto {LocalMosquitto.Version()}, libmodbus {LibmodbusVersion()}; load average {loadBefore} before, {loadAfter} after (other jobs share this VM).");
        md.AppendLine();
        md.AppendLine("Systems, one after the other in the same invocation against the same peers:");
        foreach (string system in options.Systems)
        {
            SystemResult? any = results.FirstOrDefault(r => r.System == system);
            md.AppendLine(CultureInfo.InvariantCulture, $"- `{system}`: {any?.Description ?? system}");
        }

        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"""
            Each system polls N Modbus TCP devices (`bench/peers/modbus-bench-server.c` on libmodbus: one listener per
            device, each read of holding registers adds 1 to every register it covers, so every value changes at every
            poll) and publishes every reading to mosquitto at QoS 1: the gateway with its default settings (deadband 0,
            durable SQLite buffer, `max_batch` 500, status page on), Node-RED with one `modbus-read` node per 125-register
            block, one function node building the same JSON and one `mqtt out` node (one message per read, nothing on
            disk). Each system runs under `taskset -c {options.SystemCpu}`; the benchmark with its subscriber, mosquitto and
            the Modbus server under `taskset -c {options.PeerCpu}`. After the first points arrive, {options.WarmupSeconds} s of
            warm-up, then a window of {options.Seconds} s: **points/s** = readings counted in the JSON payloads by a QoS 1
            subscriber at the broker over the window; **CPU-µs/point** = the system process's utime+stime
            (`/proc/PID/stat`, every thread) over the window / points delivered in it; **peak RSS** = VmHWM at the end;
            **steady RSS** = mean of VmRSS sampled every second in the window; **disk B/point** = `/proc/PID/io`
            write_bytes over the window / points (data_dir on {fileSystem}); **wire B/point** = TCP payload bytes the
            process sent to the broker (`ss -ti` bytes_sent of its connection: MQTT headers, topics, payloads; no TCP/IP
            headers) / points. A system that delivers less than {SystemResult.KeepUpShare:P0} of the offered points is marked **LOW**.
            """);
        md.AppendLine();
        md.AppendLine("| shape | system | points/s delivered | of offered | CPU-µs/point | × Node-RED | peak RSS | steady RSS | disk B/point | wire B/point |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (SystemResult r in results)
        {
            SystemResult? nodeRed = results.FirstOrDefault(n => n.System == EndToEndOptions.NodeRed && n.Shape == r.Shape);
            string ratio = nodeRed is null ? "–" : (r.CpuMicrosecondsPerPoint / nodeRed.CpuMicrosecondsPerPoint).ToString("0.00", CultureInfo.InvariantCulture);
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Shape.Describe()} | {r.System} | {r.PointsPerSecond:N0} | {(r.KeptUp ? "" : "**LOW** ")}{r.DeliveredShare:P1} | **{r.CpuMicrosecondsPerPoint:0.00}** | {ratio} | {SystemResult.Mib(r.PeakRss)} MiB | {SystemResult.Mib(r.SteadyRss)} MiB | {r.DiskBytesPerPoint:0.0} | {r.WireBytesPerPoint:0.0} |");
        }

        md.AppendLine();
        md.AppendLine("""
            Details of the same window: points read from the devices (the server's counters), MQTT messages, poll-to-subscriber
            latency of each message's first reading (its `ts` to arrival: it stays flat while the system and the subscriber keep
            up), the share of its core the system used and the share of the window its threads waited for a CPU held by other
            work (`/proc/PID/task/*/schedstat`: on this shared VM, other jobs), mosquitto's and the subscriber's (this
            benchmark process) CPU per point, messages mosquitto dropped (`$SYS/broker/publish/messages/dropped`) and messages
            delivered again (a `seq` not above its device's last one).
            """);
        md.AppendLine();
        md.AppendLine("| shape | system | read at devices/s | messages | points/message | MQTT B/point | latency p50 | p99 | core used | waited for CPU | broker CPU-µs/point | subscriber CPU-µs/point | dropped | redelivered |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (SystemResult r in results)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Shape.Describe()} | {r.System} | {r.ReadPerSecond:N0} | {r.Delivered.Messages:N0} | {r.PointsPerMessage:0} | {r.MqttBytesPerPoint:0.0} | {r.Delivered.LatencyPercentile(0.5):0} ms | {r.Delivered.LatencyPercentile(0.99):0} ms | {r.CpuShare:P0} | {r.WaitShare:P0} | {r.BrokerCpuMicrosecondsPerPoint:0.00} | {r.SubscriberCpuMicrosecondsPerPoint:0.00} | {(r.BrokerDropped < 0 ? "?" : r.BrokerDropped.ToString(CultureInfo.InvariantCulture))} | {r.Delivered.SeqBackwards} |");
        }

        List<SystemResult> broken = results.Where(r => r.Memory is not null).ToList();
        if (broken.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("Gateway memory at the end of the window (`--breakdown`): `/proc/PID/smaps_rollup` totals, then resident memory by");
            md.AppendLine("mapping from `/proc/PID/smaps` (anonymous mappings told apart by shape: the GC's one huge reserved range, glibc");
            md.AppendLine("malloc arenas on 64 MiB boundaries, thread stacks above their guard page), and the live managed heap");
            md.AppendLine("(`dotnet_gc_heap_bytes` from `/metrics`, `GC.GetTotalMemory`), all in MiB.");
            md.AppendLine();
            md.AppendLine("| | " + string.Join(" | ", broken.Select(r => $"{r.System} {r.Shape.Describe()}")) + " |");
            md.AppendLine("|---|" + string.Concat(broken.Select(_ => "---:|")));
            IEnumerable<string> totals = broken.SelectMany(r => r.Memory!.Totals.Select(t => t.Name)).Distinct();
            IEnumerable<string> groups = broken.SelectMany(r => r.Memory!.Groups.Select(g => g.Name)).Distinct()
                .OrderByDescending(g => broken.Max(r => r.Memory!.Groups.FirstOrDefault(x => x.Name == g).Bytes));
            foreach (string name in totals)
            {
                md.AppendLine($"| {name} (rollup) | " + string.Join(" | ", broken.Select(r => SystemResult.Mib(r.Memory!.Totals.FirstOrDefault(t => t.Name == name).Bytes))) + " |");
            }

            foreach (string name in groups)
            {
                md.AppendLine($"| {name} | " + string.Join(" | ", broken.Select(r => SystemResult.Mib(r.Memory!.Groups.FirstOrDefault(g => g.Name == name).Bytes))) + " |");
            }

            md.AppendLine("| live managed heap (/metrics) | " + string.Join(" | ", broken.Select(r => r.Memory!.ManagedHeapBytes is { } b ? SystemResult.Mib(b) : "?")) + " |");
        }

        return md.ToString();
    }

    /// <summary>Where a gateway build comes from: this checkout's commit, or the path given.</summary>
    private static string Provenance(string? path)
    {
        if (path is not null)
        {
            return "binary " + path;
        }

        try
        {
            string commit = BenchProcess.RunToEndAsync("git", ["-C", BenchEnvironment.RepositoryRoot, "rev-parse", "--short", "HEAD"], CancellationToken.None).GetAwaiter().GetResult().Trim();
            string dirty = BenchProcess.RunToEndAsync("git", ["-C", BenchEnvironment.RepositoryRoot, "status", "--porcelain", "--", "src"], CancellationToken.None).GetAwaiter().GetResult().Trim();
            return $"built from commit {commit}{(dirty.Length > 0 ? " with uncommitted changes in src/" : "")}";
        }
        catch (InvalidOperationException)
        {
            return "built from this checkout";
        }
    }

    private static string LibmodbusVersion()
    {
        try
        {
            return BenchProcess.RunToEndAsync("pkg-config", ["--modversion", "libmodbus"], CancellationToken.None).GetAwaiter().GetResult().Trim();
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private static string Slug(string label) => SlugPattern().Replace(label.ToLowerInvariant(), "-").Trim('-');

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex SlugPattern();
}
