using System.Diagnostics;
using System.Globalization;
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
            var factories = new Dictionary<string, Func<string, string, SystemUnderTest>>(); // (run folder, data folder) → system
            if (options.Systems.Contains(EndToEndOptions.Aot) || options.Systems.Contains(EndToEndOptions.AotSparkplug))
            {
                string native = options.NativeBinary ?? await NativeBuild.PublishAsync(Name, Path.Combine(work, "native"), cancellationToken);
                string description = $"smartcity-edge, native AOT ({Provenance(options.NativeBinary)})";
                factories[EndToEndOptions.Aot] = (run, data) => new GatewayUnderTest(EndToEndOptions.Aot, description, native, [], run, data);
                factories[EndToEndOptions.AotSparkplug] = (run, data) =>
                    new GatewayUnderTest(EndToEndOptions.AotSparkplug, description + ", upstream.sparkplug", native, [], run, data) { Sparkplug = true };
            }

            if (options.Systems.Contains(EndToEndOptions.Jit))
            {
                string jit = options.JitAssembly ?? Path.Combine(AppContext.BaseDirectory, "smartcity-edge.dll");
                string description = $"smartcity-edge, JIT `dotnet smartcity-edge.dll` ({Provenance(options.JitAssembly)})";
                factories[EndToEndOptions.Jit] = (run, data) => new GatewayUnderTest(EndToEndOptions.Jit, description, "dotnet", [jit], run, data);
            }

            if (options.Systems.Contains(EndToEndOptions.NodeRed))
            {
                await NodeRedUnderTest.EnsureInstalledAsync(cancellationToken);
                factories[EndToEndOptions.NodeRed] = (run, _) => new NodeRedUnderTest(run);
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
                // Rounds alternate the systems, so that a burst of other load on this shared VM hits them alike.
                for (int round = 1; round <= options.Rounds; round++)
                {
                    foreach (string system in options.Systems)
                    {
                        string run = Path.Combine(work, $"{system}-{shape.Devices}x{shape.Tags}-{round}");
                        string data = Path.Combine(dataRoot, $"{system}-{shape.Devices}x{shape.Tags}-{round}");
                        await using SystemUnderTest sut = factories[system](run, data);
                        SystemResult result = await MeasureAsync(sut, shape, round, server, broker, counter, options, cancellationToken);
                        results.Add(result);
                        Console.WriteLine(result.ConsoleLine());
                    }
                }
            }

            string report = EndToEndReport.Markdown(options, results, fileSystem, loadBefore, LoadAverage());
            Console.WriteLine();
            Console.WriteLine(report);
            if (options.WriteReport)
            {
                BenchmarkReport.WriteSection(options.Label is null ? "e2e" : "e2e-" + Slug(options.Label), report);
            }

            List<SystemResult> behind = results.Where(r => !r.KeptUp).ToList();
            foreach (SystemResult r in behind)
            {
                Console.Error.WriteLine($"e2e: FAILED: {r.System} on {r.Shape} round {r.Round} delivered {r.DeliveredShare:P1} of the offered points (keep-up threshold {SystemResult.KeepUpShare:P0}), {r.Delivered.Malformed} malformed messages");
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
        SystemUnderTest sut, LoadShape shape, int round, ModbusBenchServer server, LocalMosquitto broker, TelemetryCounter counter, EndToEndOptions options, CancellationToken cancellationToken)
    {
        SystemTally tally = counter.For(sut.Name);
        tally.ForgetSequence();
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

        TimeSpan startup = started.Elapsed;
        TimeSpan startupCpu = ProcessMeter.CpuTime(sut.ProcessId);
        Console.WriteLine($"e2e: {sut.Name} delivers after {startup.TotalSeconds:0.0} s ({startupCpu.TotalSeconds:0.00} s CPU); warm-up {options.WarmupSeconds} s, then {options.Seconds} s measured");
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
            round,
            startup,
            startupCpu,
            seconds,
            delivered1.Minus(delivered0),
            registers1 - registers0,
            sample1.Cpu - sample0.Cpu,
            sample1.RunQueueWait - sample0.RunQueueWait,
            brokerCpu1 - brokerCpu0,
            subscriberCpu1 - subscriberCpu0,
            sample1.WriteBytes - sample0.WriteBytes,
            wire0 < 0 || wire1 < wire0 ? -1 : wire1 - wire0, // unseen, or a reconnect restarted the counter
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

    /// <summary>Where a gateway build comes from: this checkout's commit, or the path given.</summary>
    private static string Provenance(string? path)
    {
        if (path is not null)
        {
            return "binary " + path;
        }

        try
        {
            string Git(params string[] args) =>
                BenchProcess.RunToEndAsync("git", ["-C", BenchEnvironment.RepositoryRoot, .. args], CancellationToken.None).GetAwaiter().GetResult().Trim();
            string head = Git("rev-parse", "--short", "HEAD");
            string source = Git("log", "-1", "--format=%h", "--", "src");
            string dirty = Git("status", "--porcelain", "--", "src");
            return $"built from commit {head}, src/ last changed in {source}{(dirty.Length > 0 ? ", with uncommitted changes in src/" : "")}";
        }
        catch (InvalidOperationException)
        {
            return "built from this checkout";
        }
    }

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private static string Slug(string label) => SlugPattern().Replace(label.ToLowerInvariant(), "-").Trim('-');

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex SlugPattern();
}
