using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace SmartCity.Edge.Bench.Service;

/// <summary>
/// Memory of the real gateway process running the demo park: resident set size (VmRSS) and its peak (VmHWM) from
/// /proc after a settling time, with the HTTP endpoint exercised (status page, /metrics) so Kestrel is counted.
/// </summary>
internal sealed class ServiceRssBenchmark : IBenchmark
{
    private const long TargetBytes = 60L * 1024 * 1024;

    public string Name => "service-rss";

    public string Description => "RSS of `smartcity-edge run` on the demo park after N seconds, JIT and native AOT builds (target < 60 MB) [--seconds 60] [--native PATH]";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int seconds = BenchEnvironment.IntOption(args, "--seconds", 60);
        string jit = Path.Combine(AppContext.BaseDirectory, "smartcity-edge.dll");
        if (!File.Exists(jit))
        {
            Console.Error.WriteLine($"service-rss: {jit} not found; build the bench project first");
            return 1;
        }

        string directory = Directory.CreateTempSubdirectory("edge-rss-").FullName;
        try
        {
            string native = BenchEnvironment.Option(args, "--native", "");
            if (native.Length == 0)
            {
                native = await NativeBuild.PublishAsync("service-rss", Path.Combine(directory, "native"), cancellationToken);
            }

            Measurement jitRun = await MeasureAsync("framework-dependent JIT (`dotnet smartcity-edge.dll`)", "dotnet", [jit], seconds, directory, cancellationToken);
            Measurement nativeRun = await MeasureAsync("native AOT (what `deploy/publish.sh` ships for this architecture)", native, [], seconds, directory, cancellationToken);

            string command = $"dotnet run -c Release --project bench/SmartCity.Edge.Bench -- service-rss --seconds {seconds}";
            BenchmarkReport.WriteSection("service-rss", $"""
                ## Gateway memory: demo park as a service

                `{command}` — {BenchmarkReport.MachineLine()}.

                The real `smartcity-edge run` process (Release, workstation non-concurrent GC) on `config/demo.yaml`
                (4 simulated devices, 9 tags, 4 alarms, console upstream) with the HTTP endpoint on: the status JSON
                fetched every 2 s and `/metrics` scraped every 15 s during the run. Memory read from `/proc/PID/status`
                at the end. Both builds of the same commit, one after the other; the benchmark publishes the native
                AOT build itself (`dotnet publish src/Gateway -c Release -r <rid> -p:PublishAot=true -p:InvariantGlobalization=true`).

                | build | after | RSS (VmRSS) | peak RSS (VmHWM) | target < {Mb(TargetBytes)} MB | CPU time | messages published |
                |---|---|---|---|---|---|---|
                {jitRun.Row(seconds)}
                {nativeRun.Row(seconds)}

                Where the resident memory is (largest mappings from `/proc/PID/smaps`):

                | mapping (JIT) | RSS | | mapping (native AOT) | RSS |
                |---|---|---|---|---|
                {string.Join("\n", jitRun.Mappings.Zip(nativeRun.Mappings, (a, b) => $"| {a.Name} | {Mb(a.Bytes)} MB | | {b.Name} | {Mb(b.Bytes)} MB |"))}
                """);
            return nativeRun.Rss < TargetBytes ? 0 : 3;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<Measurement> MeasureAsync(string build, string executable, string[] prefix, int seconds, string directory, CancellationToken cancellationToken)
    {
        string runDirectory = Directory.CreateDirectory(Path.Combine(directory, "run-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        int port = BenchEnvironment.FreePort();
        string demo = await File.ReadAllTextAsync(Path.Combine(BenchEnvironment.RepositoryRoot, "config", "demo.yaml"), cancellationToken);
        string config = Path.Combine(runDirectory, "demo.yaml");
        await File.WriteAllTextAsync(config, demo.Replace("data_dir: ./data/demo", $"data_dir: {runDirectory}/data", StringComparison.Ordinal) + $"\nhttp:\n  listen: 127.0.0.1:{port}\n", cancellationToken);

        var info = new ProcessStartInfo(executable, [.. prefix, "run", "--config", config])
        {
            RedirectStandardOutput = true, // upstream.console: every published message; drained below
            RedirectStandardError = true,
        };
        using Process process = Process.Start(info) ?? throw new InvalidOperationException("the gateway did not start");
        long published = 0;
        process.OutputDataReceived += (_, e) => Interlocked.Increment(ref published);
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient();
            var started = Stopwatch.StartNew();
            while (started.Elapsed < TimeSpan.FromSeconds(seconds))
            {
                // Like a technician with the page open: one status refresh every 2 s, a Prometheus scrape every 15 s.
                await TryGetAsync(http, $"http://127.0.0.1:{port}/api/status", cancellationToken);
                if ((int)started.Elapsed.TotalSeconds % 15 < 2)
                {
                    await TryGetAsync(http, $"http://127.0.0.1:{port}/metrics", cancellationToken);
                }

                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            }

            await TryGetAsync(http, $"http://127.0.0.1:{port}/", cancellationToken);
            (long rss, long peak) = ProcessMemory.Read(process.Id);
            var result = new Measurement(build, rss, peak, process.TotalProcessorTime.TotalSeconds, Interlocked.Read(ref published), ProcessMemory.TopMappings(process.Id, 8).ToList());
            Console.WriteLine($"service-rss: {build}: after {seconds}s RSS {Mb(rss)} MB (peak {Mb(peak)} MB), CPU {result.CpuSeconds:0.00}s, {result.Published} messages published");
            return result;
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
    }

    private sealed record Measurement(string Build, long Rss, long Peak, double CpuSeconds, long Published, List<(string Name, long Bytes)> Mappings)
    {
        public string Row(int seconds) =>
            $"| {Build} | {seconds} s | {Mb(Rss)} MB | {Mb(Peak)} MB | {(Rss < TargetBytes ? "met" : "NOT met")} | {CpuSeconds:0.00} s | {Published} |";
    }

    private static async Task TryGetAsync(HttpClient http, string url, CancellationToken cancellationToken)
    {
        try
        {
            using HttpResponseMessage response = await http.GetAsync(url, cancellationToken);
            await response.Content.ReadAsByteArrayAsync(cancellationToken);
        }
        catch (HttpRequestException)
        {
            // Not listening yet during start-up.
        }
    }

    private static string Mb(long bytes) => ProcessMemory.Mb(bytes);
}
