using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using SmartCity.Edge.Drivers.Snmp;

namespace SmartCity.Edge.Bench.Snmp;

/// <summary>
/// OIDs per second and client CPU-µs per OID of our SNMP client against Debian's snmpd, side by side in the same run
/// with net-snmp's own tools doing the same work: Gets of 20 OIDs (snmpget, one process per request as a script or
/// Nagios-style poller runs it) and a GetBulk walk of mib-2 (snmpbulkwalk, one process for the whole walk), in v2c and
/// v3 authPriv (SHA/AES). Everything pinned to the allowed CPUs (<c>taskset -c 0</c>): a cross-core ping-pong of this VM
/// measures the hypervisor (test-peers.md).
/// </summary>
internal sealed class SnmpBenchmark : IBenchmark
{
    private const int Rounds = 3;
    private const int OidsPerGet = 20;
    private static readonly string[] s_getOids = [.. Enumerable.Range(1, 7).Select(i => $"1.3.6.1.2.1.1.{i}.0"), .. Enumerable.Range(1, 13).Select(i => $"1.3.6.1.2.1.2.2.1.{i}.1")];

    public string Name => "snmp";

    public string Description => "SNMP Get (20 OIDs) and GetBulk walk of mib-2, v2c and v3 authPriv: ours vs net-snmp snmpget/snmpbulkwalk";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int requests = BenchEnvironment.IntOption(args, "--requests", 2000);
        int invocations = BenchEnvironment.IntOption(args, "--invocations", 100);
        string directory = Directory.CreateTempSubdirectory("bench-snmpd-").FullName;
        int port = FreeUdpPort();
        string config = Path.Combine(directory, "snmpd.conf");
        await File.WriteAllTextAsync(config, $"""
            agentAddress udp:127.0.0.1:{port}
            engineID gwbench
            rocommunity public 127.0.0.1
            createUser usha SHA "authpass123" AES "privpass123"
            rouser usha priv
            """, cancellationToken);
        using Process snmpd = Start("/usr/sbin/snmpd", ["-f", "-Lo", "-C", "-I", "-smux", "-c", config, "-p", Path.Combine(directory, "pid")], directory);
        try
        {
            while (await snmpd.StandardOutput.ReadLineAsync(cancellationToken) is { } line && !line.StartsWith("NET-SNMP version", StringComparison.Ordinal))
            {
            }

            _ = snmpd.StandardOutput.ReadToEndAsync(cancellationToken);
            var agent = new IPEndPoint(IPAddress.Loopback, port);
            string address = $"127.0.0.1:{port}";
            string[] v2c = ["-v2c", "-c", "public"];
            string[] v3 = ["-v3", "-u", "usha", "-l", "authPriv", "-a", "SHA", "-A", "authpass123", "-x", "AES", "-X", "privpass123"];
            var user = new UsmUser("usha", SnmpAuthProtocol.Sha1, "authpass123", SnmpPrivProtocol.Aes128, "privpass123");
            var rows = new List<string>();
            foreach ((string label, string[] toolOptions, SnmpClientOptions options) in new[]
            {
                ("v2c", v2c, new SnmpClientOptions { Agent = agent, Version = SnmpVersion.V2c }),
                ("v3 authPriv SHA/AES", v3, new SnmpClientOptions { Agent = agent, Version = SnmpVersion.V3, User = user }),
            })
            {
                var oursGet = new List<Result>();
                var theirsGet = new List<Result>();
                var oursWalk = new List<Result>();
                var theirsWalk = new List<Result>();
                for (int round = 0; round < Rounds; round++)
                {
                    theirsGet.Add(await NetSnmpAsync(directory, invocations, OidsPerGet, ["snmpget", .. toolOptions, "-On", address, .. s_getOids], cancellationToken));
                    oursGet.Add(await OursGetAsync(options, requests, cancellationToken));
                    Result walk = await NetSnmpAsync(directory, 5, 0, ["snmpbulkwalk", .. toolOptions, "-Cr25", "-On", address, "1.3.6.1.2.1"], cancellationToken);
                    theirsWalk.Add(walk);
                    oursWalk.Add(await OursWalkAsync(options, 5, cancellationToken));
                }

                Result theirG = Median(theirsGet);
                Result ourG = Median(oursGet);
                Result theirW = Median(theirsWalk);
                Result ourW = Median(oursWalk);
                rows.Add(Row(label, $"Get, {OidsPerGet} OIDs per request", $"net-snmp snmpget (a process per request, {invocations} requests)", theirG, theirG));
                rows.Add(Row(label, $"Get, {OidsPerGet} OIDs per request", $"ours, SnmpClient.GetAsync ({requests} requests, one client)", ourG, theirG));
                rows.Add(Row(label, $"GetBulk walk of mib-2 (max-repetitions 25, {ourW.Oids:N0} OIDs)", "net-snmp snmpbulkwalk -Cr25 (one process per walk)", theirW, theirW));
                rows.Add(Row(label, $"GetBulk walk of mib-2 (max-repetitions 25, {ourW.Oids:N0} OIDs)", "ours, SnmpClient.WalkAsync", ourW, theirW));
            }

            var md = new StringBuilder();
            md.AppendLine("## SNMP manager: ours vs net-snmp");
            md.AppendLine();
            md.AppendLine($"{BenchmarkReport.MachineLine()}; CPUs allowed: {CpusAllowed()}. Command: `taskset -c 0 dotnet run -c Release --project bench/SmartCity.Edge.Bench -- snmp --requests {requests} --invocations {invocations}` (median of {Rounds} alternating rounds; agent: Debian snmpd 5.9.3 on 127.0.0.1, started by the benchmark with a v2c community and a v3 user SHA/AES).");
            md.AppendLine();
            md.AppendLine("| version | work | client | OIDs/s (median) | × net-snmp | client CPU-µs/OID | client peak RSS |");
            md.AppendLine("|---|---|---|---:|---:|---:|---:|");
            rows.ForEach(r => md.AppendLine(r));
            md.AppendLine();
            md.AppendLine("CPU-µs/OID is the client's own user+system time divided by the OIDs it received: getrusage(RUSAGE_CHILDREN) around the net-snmp tools (so a snmpget's process start, library and configuration loading count, as they do for a poller that runs it), `Process.TotalProcessorTime` for ours (the benchmark process: runtime threads included, after a warm-up). snmpd's CPU is not counted. " +
                "The Get rows compare a long-lived client with one process per request on purpose: that is how scripts and Nagios-style pollers use snmpget. The walk rows are the like-for-like comparison of the protocol work (one process or one client doing many GetBulk round trips).");
            Console.WriteLine(md);
            BenchmarkReport.WriteSection("snmp", md.ToString());
            return 0;
        }
        finally
        {
            snmpd.Kill();
            await snmpd.WaitForExitAsync(CancellationToken.None);
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<Result> OursGetAsync(SnmpClientOptions options, int requests, CancellationToken cancellationToken)
    {
        using var client = new SnmpClient(options, TimeProvider.System);
        SnmpOid[] oids = [.. s_getOids.Select(SnmpOid.Parse)];
        for (int i = 0; i < 200; i++)
        {
            await client.GetAsync(oids, cancellationToken);
        }

        return await MeasureAsync(
            async () =>
            {
                long received = 0;
                for (int i = 0; i < requests; i++)
                {
                    received += (await client.GetAsync(oids, cancellationToken)).VarBinds.Count;
                }

                return received;
            });
    }

    private static async Task<Result> OursWalkAsync(SnmpClientOptions options, int walks, CancellationToken cancellationToken)
    {
        using var client = new SnmpClient(options, TimeProvider.System);
        SnmpOid root = SnmpOid.Parse("1.3.6.1.2.1");
        await client.WalkAsync(root, 25, 1_000_000, cancellationToken);
        return await MeasureAsync(
            async () =>
            {
                long received = 0;
                for (int i = 0; i < walks; i++)
                {
                    received += (await client.WalkAsync(root, 25, 1_000_000, cancellationToken)).Count;
                }

                return received;
            }) with { Oids = (await client.WalkAsync(root, 25, 1_000_000, cancellationToken)).Count };
    }

    private static async Task<Result> MeasureAsync(Func<Task<long>> work)
    {
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        TimeSpan cpu0 = process.TotalProcessorTime;
        long t0 = Stopwatch.GetTimestamp();
        long oids = await work();
        TimeSpan elapsed = Stopwatch.GetElapsedTime(t0);
        process.Refresh();
        TimeSpan cpu = process.TotalProcessorTime - cpu0;
        return new Result(oids / elapsed.TotalSeconds, cpu.TotalMicroseconds / oids, process.PeakWorkingSet64 / 1024.0 / 1024.0, oids);
    }

    /// <summary>Runs a net-snmp tool <paramref name="times"/> times under a small Python harness that reports wall time, children's CPU and max RSS.</summary>
    private static async Task<Result> NetSnmpAsync(string directory, int times, int oidsPerRun, string[] command, CancellationToken cancellationToken)
    {
        const string Harness = """
            import resource, subprocess, sys, time
            n = int(sys.argv[1]); cmd = sys.argv[2:]; lines = 0
            t0 = time.monotonic()
            for _ in range(n):
                out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True).stdout
                lines += out.count(b"\n")
            wall = time.monotonic() - t0
            r = resource.getrusage(resource.RUSAGE_CHILDREN)
            print(wall, r.ru_utime + r.ru_stime, r.ru_maxrss, lines)
            """;
        using Process process = Start("/usr/bin/python3", ["-c", Harness, times.ToString(CultureInfo.InvariantCulture), .. command], directory);
        string output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command[0]} failed: {await process.StandardError.ReadToEndAsync(cancellationToken)}");
        }

        string[] fields = output.Trim().Split(' ');
        double wall = double.Parse(fields[0], CultureInfo.InvariantCulture);
        double cpu = double.Parse(fields[1], CultureInfo.InvariantCulture);
        double maxRssMb = double.Parse(fields[2], CultureInfo.InvariantCulture) / 1024.0;
        long lines = long.Parse(fields[3], CultureInfo.InvariantCulture);
        long oids = oidsPerRun > 0 ? (long)oidsPerRun * times : lines;
        return new Result(oids / wall, cpu * 1e6 / oids, maxRssMb, oids / Math.Max(1, times));
    }

    private static Result Median(List<Result> results) => results.OrderBy(r => r.OidsPerSecond).ElementAt(results.Count / 2);

    private static string Row(string version, string work, string client, Result result, Result baseline) =>
        string.Create(CultureInfo.InvariantCulture, $"| {version} | {work} | {client} | {result.OidsPerSecond:N0} | {result.OidsPerSecond / baseline.OidsPerSecond:0.0} | {result.CpuMicrosecondsPerOid:0.0} | {result.PeakRssMb:0} MB |");

    private static Process Start(string file, string[] args, string directory)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment["MIBS"] = string.Empty;
        info.Environment["MIBDIRS"] = "/nonexistent";
        info.Environment["SNMP_PERSISTENT_DIR"] = directory;
        info.Environment["SNMPCONFPATH"] = directory;
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("cannot start " + file);
    }

    private static int FreeUdpPort()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static string CpusAllowed()
    {
        string? line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal)) : null;
        return line?.Split(':', 2)[1].Trim() ?? "all";
    }

    private readonly record struct Result(double OidsPerSecond, double CpuMicrosecondsPerOid, double PeakRssMb, long Oids);
}
