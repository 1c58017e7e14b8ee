using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Bench.OpcUa;

/// <summary>
/// What security costs our OPC UA client: data changes/s and client CPU per change through one subscription on
/// 1,000 nodes (changed every 50 ms by the server), with policy None, Basic256Sha256 Sign and Basic256Sha256
/// SignAndEncrypt, one after the other in one run against one node-opcua server (tests/peers/opcua).
/// </summary>
internal sealed class OpcUaSecurityBenchmark : IBenchmark
{
    private const string ClientCore = "0";

    public string Name => "opcua-security";

    public string Description => "OPC UA data changes/s and client CPU per change: None vs Basic256Sha256 Sign vs SignAndEncrypt, same server [SECONDS=5]";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        double seconds = args.Length > 0 && double.TryParse(args[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double s) ? s : 5;
        string peer = OpcUaBenchmark.PeerDirectory();
        string serverPki = Path.Combine(Path.GetTempPath(), "smartcity-edge-opcua-bench-pki");
        string ourPki = Path.Combine(Path.GetTempPath(), "smartcity-edge-opcua-bench-client-pki-" + Guid.NewGuid().ToString("N"));
        using Process server = await OpcUaBenchmark.StartServerAsync(peer, serverPki, cancellationToken);
        if (OperatingSystem.IsLinux())
        {
            using Process self = Process.GetCurrentProcess();
            self.ProcessorAffinity = 1 << int.Parse(ClientCore, CultureInfo.InvariantCulture);
        }

        try
        {
            int port = int.Parse(server.StartInfo.Environment["BENCH_PORT"]!, CultureInfo.InvariantCulture);
            UaEndpointUrl.TryParse($"opc.tcp://127.0.0.1:{port}", out UaEndpointUrl? url, out _);
            // Warm-up (JIT tiering), not reported: otherwise the first setting measured pays for it.
            await MeasureAsync(new UaClientOptions { Endpoint = url! }, Math.Min(seconds, 3), cancellationToken);
            await MeasureAsync(await SecureOptionsAsync(url!, ourPki, UaMessageSecurityMode.SignAndEncrypt, cancellationToken), Math.Min(seconds, 3), cancellationToken);
            var rows = new List<(string Name, double ChangesPerSecond, double CpuUsPerChange)>();
            foreach ((string name, UaMessageSecurityMode mode) in new[] { ("None", UaMessageSecurityMode.None), ("Basic256Sha256 Sign", UaMessageSecurityMode.Sign), ("Basic256Sha256 SignAndEncrypt", UaMessageSecurityMode.SignAndEncrypt) })
            {
                UaClientOptions options = mode == UaMessageSecurityMode.None
                    ? new UaClientOptions { Endpoint = url! }
                    : await SecureOptionsAsync(url!, ourPki, mode, cancellationToken);
                (double changes, double cpu) = await MeasureAsync(options, seconds, cancellationToken);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {changes:0} changes/s, {cpu:0.0} µs client CPU per change"));
                rows.Add((name, changes, cpu));
            }

            Report(seconds, rows);
            return 0;
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(CancellationToken.None);
            Directory.Delete(ourPki, recursive: true);
        }
    }

    private static async Task<UaClientOptions> SecureOptionsAsync(UaEndpointUrl url, string pki, UaMessageSecurityMode mode, CancellationToken cancellationToken)
    {
        var store = new UaCertificateStore(pki);
        UaApplicationCertificate own = store.LoadOrCreateOwn("urn:smartcity-edge:bench", "SmartCity.Edge", TimeSpan.FromDays(1), TimeProvider.System);
        UaEndpointDescription[] endpoints = await UaSession.GetEndpointsAsync(url, UaSecureChannelOptions.Default, TimeProvider.System, NullLogger.Instance, cancellationToken);
        using X509Certificate2 serverCertificate = X509CertificateLoader.LoadCertificate(UaCertificateInfo.LeafOf(endpoints.First(e => e.ServerCertificate is { Length: > 0 }).ServerCertificate!));
        store.AddTrusted(serverCertificate);
        var validator = new UaCertificateValidator(store, new UaCertificateValidationOptions(CheckHostName: false), TimeProvider.System);
        var configuration = new UaSecurityConfiguration("Basic256Sha256", mode, false, false, false, TimeSpan.FromDays(1), "urn:smartcity-edge:bench");
        return new UaClientSecurity(configuration, own, validator, url.Host).Apply(new UaClientOptions { Endpoint = url });
    }

    private static async Task<(double ChangesPerSecond, double CpuUsPerChange)> MeasureAsync(UaClientOptions options, double seconds, CancellationToken cancellationToken)
    {
        await using var client = new UaClient(options, TimeProvider.System, NullLogger.Instance);
        await client.ConnectAsync(cancellationToken);
        var counter = new CountingDataChangeHandler();
        UaMonitoredItemRequest[] items = Enumerable.Range(0, 1000).Select(i => new UaMonitoredItemRequest(UaNodeId.FromString(1, $"Bench.N{i:D4}"), (uint)i, 0, 10)).ToArray();
        await client.CreateSubscriptionAsync(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), items, counter, cancellationToken);
        await Task.Delay(500, cancellationToken);
        long startCount = counter.Count;
        TimeSpan cpuBefore = CpuTime();
        var watch = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
        long counted = counter.Count - startCount;
        double cpu = counted == 0 ? 0 : (CpuTime() - cpuBefore).TotalMicroseconds / counted;
        return (counted / watch.Elapsed.TotalSeconds, cpu);
    }

    private static void Report(double seconds, List<(string Name, double ChangesPerSecond, double CpuUsPerChange)> rows)
    {
        var md = new StringBuilder();
        md.AppendLine("## OPC UA client: cost of security");
        md.AppendLine();
        md.AppendLine($"Command: `dotnet run -c Release --project bench/SmartCity.Edge.Bench -- opcua-security {seconds.ToString(CultureInfo.InvariantCulture)}` ({BenchmarkReport.MachineLine()}).");
        md.AppendLine("One node-opcua server (tests/peers/opcua/server.js --bench, pinned to core 1) changes 1,000 Double nodes every 50 ms; our client");
        md.AppendLine("(pinned to core 0) subscribes to all of them (publishing 50 ms, sampling 0, queue 10) once per security setting, one after");
        md.AppendLine("the other in the same run, after an unreported warm-up of None and SignAndEncrypt (JIT). Client CPU = the client process's CPU time over the phase / data changes received; the");
        md.AppendLine("rate itself is capped by the single-threaded server (1,000 × 20/s), which also pays for the security.");
        string load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
        md.AppendLine($"Load average when the report was written: {load} (other jobs share this VM).");
        md.AppendLine();
        md.AppendLine("| security | data changes/s | client CPU per change |");
        md.AppendLine("|---|---:|---:|");
        foreach ((string name, double changes, double cpu) in rows)
        {
            md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {changes:0} | {cpu:0.0} µs |"));
        }

        BenchmarkReport.WriteSection("opcua-security", md.ToString());
    }

    private static TimeSpan CpuTime()
    {
        using Process self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}
