using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace SmartCity.Edge.Bench.Service;

/// <summary>
/// Memory of the native AOT gateway through exception, timeout and reconnect storms (issue 15, item 8): a Modbus TCP
/// device whose server is killed and restarted every 4 s, one that answers IllegalDataAddress for a tag, an OPC UA
/// server restarted every 20 s, a simulator, MQTT upstream and the status page polled. RSS sampled; the slope after
/// warm-up (least squares) and the level are reported against their targets (≤ 1 MB per 10 min, &lt; 64 MB).
/// </summary>
internal sealed class SoakBenchmark : IBenchmark
{
    private const double SlopeTargetMbPer10Min = 1.0;
    private const long LevelTargetBytes = 64L * 1024 * 1024;

    public string Name => "soak";

    public string Description => "RSS of the native AOT gateway through peer restart/exception/timeout storms [--minutes 30] [--warmup-minutes 5] [--sample-seconds 10] [--native PATH] [--opcua-security] (Basic256Sha256 SignAndEncrypt instead of None) [--label NAME] (its own section soak-NAME, for comparing GC settings given as DOTNET_GC* environment variables)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int minutes = BenchEnvironment.IntOption(args, "--minutes", 30);
        int warmupMinutes = BenchEnvironment.IntOption(args, "--warmup-minutes", Math.Min(5, minutes / 3));
        int sampleSeconds = BenchEnvironment.IntOption(args, "--sample-seconds", 10);
        bool secure = args.Contains("--opcua-security");
        string label = BenchEnvironment.Option(args, "--label", "");
        string directory = Directory.CreateTempSubdirectory("edge-soak-").FullName;
        string peers = Path.Combine(BenchEnvironment.RepositoryRoot, "tests", "peers");
        try
        {
            string native = BenchEnvironment.Option(args, "--native", "");
            if (native.Length == 0)
            {
                native = await NativeBuild.PublishAsync("soak", Path.Combine(directory, "native"), cancellationToken);
            }

            string pymodbus = Path.Combine(peers, "modbus", "pymodbus_server.py");
            await using RestartingPeer restarting = await RestartingPeer.StartAsync("/usr/bin/python3", port => [pymodbus, "tcp", port.ToString(CultureInfo.InvariantCulture), "--quiet"], TimeSpan.FromSeconds(4), cancellationToken);
            await using RestartingPeer badAddress = await RestartingPeer.StartAsync("/usr/bin/python3", port => [pymodbus, "tcp", port.ToString(CultureInfo.InvariantCulture), "--quiet"], null, cancellationToken);
            string pki = Directory.CreateDirectory(Path.Combine(directory, "ua-pki")).FullName;
            await using RestartingPeer opcua = await RestartingPeer.StartAsync("node", port => [Path.Combine(peers, "opcua", "server.js"), port.ToString(CultureInfo.InvariantCulture), pki], TimeSpan.FromSeconds(20), cancellationToken);
            await using LocalMosquitto broker = await LocalMosquitto.StartAsync(cancellationToken);

            int httpPort = BenchEnvironment.FreePort();
            string config = Path.Combine(directory, "soak.yaml");
            await File.WriteAllTextAsync(config, Config(directory, restarting.Port, badAddress.Port, opcua.Port, broker.Port, httpPort, secure), cancellationToken);
            var info = new ProcessStartInfo(native, ["run", "--config", config]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using Process gateway = Process.Start(info) ?? throw new InvalidOperationException("the gateway did not start");
            long logLines = 0;
            gateway.OutputDataReceived += (_, _) => { };
            gateway.ErrorDataReceived += (_, _) => Interlocked.Increment(ref logLines);
            gateway.BeginOutputReadLine();
            gateway.BeginErrorReadLine();

            var samples = new List<Sample>();
            List<(string Name, long Bytes)> atWarmup = [];
            var clock = Stopwatch.StartNew();
            using var http = new HttpClient();
            try
            {
                while (clock.Elapsed < TimeSpan.FromMinutes(minutes) && !gateway.HasExited)
                {
                    // A technician with the status page open; Prometheus scraping, which also says where the memory is.
                    await TryGetAsync(http, $"http://127.0.0.1:{httpPort}/api/status", cancellationToken);
                    string scraped = await TryGetAsync(http, $"http://127.0.0.1:{httpPort}/metrics", cancellationToken);
                    (long rss, _) = ProcessMemory.Read(gateway.Id);
                    samples.Add(new Sample(clock.Elapsed.TotalMinutes, rss, ProcessMemory.Threads(gateway.Id),
                        (long)Sum(scraped, "dotnet_gc_committed_bytes"), (long)Sum(scraped, "dotnet_gc_heap_bytes"), (long)Sum(scraped, "smartcity_edge_sqlite_memory_bytes"),
                        (long)Sum(scraped, "dotnet_gc_collections_total{generation=\"2\"}")));
                    if (atWarmup.Count == 0 && clock.Elapsed >= TimeSpan.FromMinutes(warmupMinutes))
                    {
                        atWarmup = ProcessMemory.TopMappings(gateway.Id, 6).ToList();
                    }

                    Sample last = samples[^1];
                    Console.WriteLine($"soak: {last.Minutes,5:0.0} min  RSS {ProcessMemory.Mb(rss),6} MB  GC committed {ProcessMemory.Mb(last.GcCommitted)} MB (heap {ProcessMemory.Mb(last.GcHeap)} MB, gen2 GCs {last.Gen2Collections})  SQLite {ProcessMemory.Mb(last.Sqlite)} MB  threads {last.Threads}  (Modbus restarts {restarting.Restarts}, OPC UA restarts {opcua.Restarts})");
                    await Task.Delay(TimeSpan.FromSeconds(sampleSeconds), cancellationToken);
                }

                if (gateway.HasExited)
                {
                    throw new InvalidOperationException($"the gateway exited with {gateway.ExitCode} after {clock.Elapsed.TotalMinutes:0.0} min");
                }

                string metrics = await http.GetStringAsync($"http://127.0.0.1:{httpPort}/metrics", cancellationToken);
                (long finalRss, long peak) = ProcessMemory.Read(gateway.Id);
                List<(string Name, long Bytes)> atEnd = ProcessMemory.TopMappings(gateway.Id, 6).ToList();
                double cpu = gateway.TotalProcessorTime.TotalSeconds;
                Report(minutes, warmupMinutes, sampleSeconds, secure, label, samples, finalRss, peak, cpu, atWarmup, atEnd, metrics, restarting.Restarts, opcua.Restarts, Interlocked.Read(ref logLines), out bool met);
                return met ? 0 : 3;
            }
            finally
            {
                if (!gateway.HasExited)
                {
                    gateway.Kill();
                    await gateway.WaitForExitAsync(CancellationToken.None);
                }
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void Report(int minutes, int warmupMinutes, int sampleSeconds, bool secure, string label, List<Sample> samples, long finalRss, long peak, double cpu,
        List<(string Name, long Bytes)> atWarmup, List<(string Name, long Bytes)> atEnd, string metrics, int modbusRestarts, int opcuaRestarts, long logLines, out bool met)
    {
        Sample[] steady = samples.Where(s => s.Minutes >= warmupMinutes).ToArray();
        double slope = SlopePer10Min(steady, s => s.Rss);
        double gcSlope = SlopePer10Min(steady, s => s.GcCommitted);
        double sqliteSlope = SlopePer10Min(steady, s => s.Sqlite);
        double otherSlope = SlopePer10Min(steady, s => s.Other);
        long maxSteady = steady.Length > 0 ? steady.Max(s => s.Rss) : finalRss;
        met = slope <= SlopeTargetMbPer10Min && maxSteady < LevelTargetBytes;
        var curve = new StringBuilder();
        foreach (Sample sample in samples.Where((_, i) => i % Math.Max(1, 60 / sampleSeconds) == 0 || i == samples.Count - 1))
        {
            curve.Append(CultureInfo.InvariantCulture, $"| {sample.Minutes:0.0} | {ProcessMemory.Mb(sample.Rss)} MB | {ProcessMemory.Mb(sample.GcCommitted)} MB | {ProcessMemory.Mb(sample.GcHeap)} MB | {sample.Gen2Collections} | {ProcessMemory.Mb(sample.Sqlite)} MB | {ProcessMemory.Mb(sample.Other)} MB | {sample.Threads} |\n");
        }

        // The gateway inherits the environment: GC settings under comparison are DOTNET_GC* variables of this run.
        string gcEnvironment = string.Join(' ', Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("DOTNET_GC", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal)
            .Select(k => $"{k}={Environment.GetEnvironmentVariable(k)}"));
        string command = $"{(gcEnvironment.Length > 0 ? gcEnvironment + " " : string.Empty)}dotnet run -c Release --project bench/SmartCity.Edge.Bench -- soak --minutes {minutes}{(secure ? " --opcua-security" : string.Empty)}{(label.Length > 0 ? " --label " + label : string.Empty)}";
        Console.WriteLine($"soak: slope after {warmupMinutes} min {slope:0.00} MB per 10 min (target ≤ {SlopeTargetMbPer10Min}), level max {ProcessMemory.Mb(maxSteady)} MB, final {ProcessMemory.Mb(finalRss)} MB (target < {ProcessMemory.Mb(LevelTargetBytes)} MB): {(met ? "met" : "NOT met")}");
        BenchmarkReport.WriteSection(label.Length > 0 ? "soak-" + label : "soak", $"""
            ## Memory soak: peer restarts, exceptions and timeouts{(label.Length > 0 ? $" ({label})" : string.Empty)}

            `{command}` — {BenchmarkReport.MachineLine()}.

            The native AOT gateway (published by the benchmark, or `--native PATH`) polls a Modbus TCP device whose pymodbus
            server is killed (SIGKILL) and restarted every 4 s ({modbusRestarts} restarts), a second one every poll of which
            gets IllegalDataAddress (02) for one tag, an OPC UA device (node-opcua `server.js`) whose server is killed and
            restarted every 20 s ({opcuaRestarts} restarts; security {(secure ? "Basic256Sha256 SignAndEncrypt" : "None")}), and a simulator; it publishes to a local mosquitto, and
            `/api/status` and `/metrics` are fetched every {sampleSeconds} s, when RSS (VmRSS) is sampled;
            slope by least squares over the samples after {warmupMinutes} min of warm-up.

            | figure | value | target |
            |---|---|---|
            | RSS slope after warm-up | {slope:0.00} MB per 10 min | ≤ {SlopeTargetMbPer10Min:0.0} |
            | … of which GC committed / SQLite / the rest | {gcSlope:0.00} / {sqliteSlope:0.00} / {otherSlope:0.00} MB per 10 min | |
            | highest RSS after warm-up | {ProcessMemory.Mb(maxSteady)} MB | < {ProcessMemory.Mb(LevelTargetBytes)} MB |
            | RSS at the end / peak (VmHWM) | {ProcessMemory.Mb(finalRss)} MB / {ProcessMemory.Mb(peak)} MB | |
            | CPU time of the gateway | {cpu:0.0} s in {minutes} min | |
            | device errors counted (`smartcity_edge_device_errors_total`) | {Sum(metrics, "smartcity_edge_device_errors_total"):0} | |
            | log lines written | {logLines} | |

            RSS over time (one row a minute), with what the gateway's `/metrics` says of it: the GC's committed memory
            (`dotnet_gc_committed_bytes`) and its heap in use (`dotnet_gc_heap_bytes`), full collections so far, SQLite's
            allocations (`smartcity_edge_sqlite_memory_bytes`), and the rest (RSS minus those two: code and data pages of
            the binary and libraries, thread stacks, other native allocations):

            | minute | RSS | GC committed | GC heap | gen2 GCs | SQLite | rest | threads |
            |---|---|---|---|---|---|---|---|
            {curve.ToString().TrimEnd()}

            Largest resident mappings (`/proc/PID/smaps`) after warm-up and at the end:

            | after warm-up | RSS | | at the end | RSS |
            |---|---|---|---|---|
            {string.Join("\n", atWarmup.Zip(atEnd, (a, b) => $"| {a.Name} | {ProcessMemory.Mb(a.Bytes)} MB | | {b.Name} | {ProcessMemory.Mb(b.Bytes)} MB |"))}
            """);
    }

    private static double SlopePer10Min(Sample[] samples, Func<Sample, long> bytes) =>
        samples.Length >= 2 ? Slope(samples.Select(s => (s.Minutes, bytes(s) / 1024.0 / 1024.0)).ToArray()) * 10 : double.NaN;

    /// <summary>Least-squares slope of y over x.</summary>
    private static double Slope((double X, double Y)[] points)
    {
        double meanX = points.Average(p => p.X);
        double meanY = points.Average(p => p.Y);
        double covariance = points.Sum(p => (p.X - meanX) * (p.Y - meanY));
        double variance = points.Sum(p => (p.X - meanX) * (p.X - meanX));
        return variance == 0 ? 0 : covariance / variance;
    }

    private static double Sum(string metrics, string family) => metrics.Split('\n')
        .Where(l => l.StartsWith(family + "{", StringComparison.Ordinal) || l.StartsWith(family + " ", StringComparison.Ordinal))
        .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    private static string Config(string directory, int restartingPort, int badAddressPort, int opcuaPort, int brokerPort, int httpPort, bool secure) => $"""
        gateway:
          id: soak
          site: lab
          data_dir: {directory}/data
        devices:
          - id: meter-restarting
            driver: modbus-tcp
            host: 127.0.0.1
            port: {restartingPort}
            unit_id: 1
            poll_interval: 500ms
            timeout: 500ms
            tags:
              - id: reads
                address: "holding:980"
                type: uint16
              - id: f32
                address: "holding:104"
                type: float32
          - id: meter-bad-address
            driver: modbus-tcp
            host: 127.0.0.1
            port: {badAddressPort}
            unit_id: 1
            poll_interval: 500ms
            tags:
              - id: reads
                address: "holding:980"
                type: uint16
              - id: missing
                address: "holding:505"
                type: uint16
          - id: plc
            driver: opcua
            endpoint: opc.tcp://127.0.0.1:{opcuaPort}
            security:
        {(secure ? "      policy: Basic256Sha256\n      mode: SignAndEncrypt\n      trust_on_first_use: true\n      check_hostname: false" : "      policy: None\n      mode: None")}
            poll_interval: 1s
            publishing_interval: 500ms
            tags:
              - id: counter
                node: "ns=1;s=Dynamic.Counter"
              - id: ramp
                node: "ns=1;s=Dynamic.Ramp"
          - id: sim
            driver: simulator
            poll_interval: 1s
            tags:
              - id: level
                signal: sine
                min: 0
                max: 100
                period: 60s
        alarms:
          - id: sim-high
            tag: sim/level
            above: 90
            severity: warning
            message: level high
        upstream:
          mqtt:
            server: mqtt://127.0.0.1:{brokerPort}
            topic_prefix: smartcity/lab/soak
        http:
          listen: 127.0.0.1:{httpPort}
        """;

    /// <summary>The body, or empty while the gateway is not listening yet (start-up).</summary>
    private static async Task<string> TryGetAsync(HttpClient http, string url, CancellationToken cancellationToken)
    {
        try
        {
            using HttpResponseMessage response = await http.GetAsync(url, cancellationToken);
            return await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException)
        {
            return string.Empty;
        }
    }

    /// <summary>One sample: RSS from /proc, the rest from the gateway's /metrics (0 when the scrape failed).</summary>
    private sealed record Sample(double Minutes, long Rss, int Threads, long GcCommitted, long GcHeap, long Sqlite, long Gen2Collections)
    {
        public long Other => Rss - GcCommitted - Sqlite;
    }
}
