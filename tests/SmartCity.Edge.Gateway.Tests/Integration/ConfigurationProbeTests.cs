using System.Diagnostics;
using System.Text;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// The hostile configuration files of the security review, given to the real binary: <c>validate</c> and <c>run</c>
/// print one clean file:line:col problem and exit 1 (no stack trace, no hang, no secret), and a running service
/// that reloads them keeps running on the configuration it has.
/// </summary>
public sealed class ConfigurationProbeTests : IDisposable
{
    private const string ShadowSecret = "root:$y$j9T$Sh4d0wHashOfRoot:19000:0:99999:7:::";
    private const string UrlPassword = "Url-Pa55word-9";

    private readonly string _directory = Directory.CreateTempSubdirectory("edge-probe-").FullName;

    public ConfigurationProbeTests()
    {
        File.WriteAllText(Path.Combine(_directory, "shadow"), ShadowSecret + "\n");
        File.WriteAllText(Path.Combine(_directory, "mqtt-password"), UrlPassword + "\n");
        using Process mkfifo = Process.Start("mkfifo", Path.Combine(_directory, "pipe"));
        mkfifo.WaitForExit();
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string> Probes() => [.. s_probes.Keys];

    /// <summary>Each probe: the file's bytes (a function of the test folder) and the problem it must produce.</summary>
    private static readonly Dictionary<string, (Func<string, byte[]> File, string Problem)> s_probes = new()
    {
        ["flow-list-continued-less-indented"] = (_ => Encoding.UTF8.GetBytes("""
            gateway: { id: g, site: s, data_dir: /var/lib/g }
            devices:
              - { id: d1, driver: modbus-tcp, host: 127.0.0.1, port: 502, unit_id: 1, tags: [
            { id: r0, address: "holding:0", type: uint16 } ] }

            """), "gateway.yaml:4:3 YAML syntax error the YAML reader cannot recover from (InvalidOperationException)"),
        ["50000-nested-brackets"] = (_ => Encoding.UTF8.GetBytes("gateway: { id: g }\ndevices: " + new string('[', 50_000) + "\n"),
            "gateway.yaml:2:73 lists and mappings are nested more than 64 levels deep here"),
        ["secret-from-a-fifo"] = (dir => Encoding.UTF8.GetBytes(Park(dir, "poll_interval: ${file:pipe}")),
            "devices[0].poll_interval: secret file '{dir}/pipe' is a named pipe (FIFO), not a file"),
        ["secret-from-dev-zero"] = (dir => Encoding.UTF8.GetBytes(Park(dir, "poll_interval: ${file:/dev/zero}")),
            "devices[0].poll_interval: secret file '/dev/zero' is a character device (like /dev/zero or a serial port), not a file"),
        ["secret-from-a-directory"] = (dir => Encoding.UTF8.GetBytes(Park(dir, "poll_interval: ${file:/etc}")),
            "devices[0].poll_interval: secret file '/etc' is a directory, not a file"),
        ["secret-echoed-as-a-duration"] = (dir => Encoding.UTF8.GetBytes(Park(dir, "poll_interval: ${file:shadow}")),
            "devices[0].poll_interval: the value from ${file:shadow} is not a duration"),
        ["password-in-a-broker-url"] = (dir => Encoding.UTF8.GetBytes(Park(dir, "poll_interval: 50ms", "mqtt: { server: \"mqtt://gw:${file:mqtt-password}@broker.example:99999\" }")),
            "upstream.mqtt.server: 'mqtt://gw:${file:mqtt-password}@broker.example:99999' is not a broker address"),
        ["invalid-utf8"] = (dir => [.. Encoding.UTF8.GetBytes("gateway:\n  id: g\n  site: s"), 0xC3, 0x28, .. "\n"u8],
            "gateway.yaml:3:10 the file is not valid UTF-8: invalid byte at line 3, column 10 (byte offset 26)"),
        ["site-with-a-slash"] = (dir => Encoding.UTF8.GetBytes(Park(dir, "poll_interval: 50ms").Replace("site: lab", "site: north/park", StringComparison.Ordinal)),
            "gateway.site: 'north/park' is not a valid site"),
    };

    [Theory]
    [MemberData(nameof(Probes))]
    public async Task ValidateAndRun_HostileFile_OneCleanProblem_ExitOne_NoSecretNoStackTrace(string probe)
    {
        (Func<string, byte[]> file, string problem) = s_probes[probe];
        string config = Path.Combine(_directory, "gateway.yaml");
        await File.WriteAllBytesAsync(config, file(_directory));

        foreach (string command in (string[])["validate", "run"])
        {
            (int exitCode, _, string stderr) = await GatewayProcess.RunToEndAsync(command, "--config", config);

            Assert.True(exitCode == 1, $"{command}: exit {exitCode}\n{stderr}");
            Assert.Contains(problem.Replace("{dir}", _directory, StringComparison.Ordinal), stderr, StringComparison.Ordinal);
            Assert.EndsWith("1 problem found; nothing was started.", stderr.TrimEnd(), StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("Sh4d0wHash", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain(UrlPassword, stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Reload_OfEachHostileFile_RejectedWithItsProblem_ServiceKeepsPollingOnTheOldConfiguration()
    {
        string config = Path.Combine(_directory, "gateway.yaml");
        await File.WriteAllTextAsync(config, Park(_directory, "poll_interval: 50ms"));
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        await WaitForTelemetryAsync(gateway, 5);
        await gateway.WaitUntilReloadReadyAsync(); // a write before the watcher exists would go unseen

        int rejected = 0;
        foreach ((string name, (Func<string, byte[]> file, string problem)) in s_probes)
        {
            // Saved in place, as a technician's editor would: the file watcher reloads it.
            await File.WriteAllBytesAsync(config, file(_directory));
            await gateway.WaitForLogAsync(problem.Replace("{dir}", _directory, StringComparison.Ordinal), TestTimeouts.Long);
            await gateway.WaitForLogCountAsync("Configuration reload rejected", ++rejected, TestTimeouts.Long);
            Assert.False(gateway.HasExited, $"{name} ended the service:\n{gateway.Log}");

            // Still polling and publishing on the configuration it started with.
            int published = Telemetry(gateway);
            await WaitForTelemetryAsync(gateway, published + 3);
            rejected = Count(gateway.Log, "Configuration reload rejected");
        }

        Assert.DoesNotContain("Sh4d0wHash", gateway.Log, StringComparison.Ordinal);
        Assert.DoesNotContain(UrlPassword, gateway.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", gateway.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("Configuration reloaded", gateway.Log, StringComparison.Ordinal);

        await gateway.TerminateAsync();
        Assert.Equal(0, gateway.ExitCode);
    }

    /// <summary>A one-counter park on the console upstream; <paramref name="pollLine"/> and <paramref name="upstream"/> carry the probe.</summary>
    private static string Park(string directory, string pollLine, string upstream = "console: true") =>
        $"""
        gateway:
          id: probe-gw
          site: lab
          data_dir: {directory}/data
        devices:
        {TestConfigs.CounterDevice("counter", "50ms").Replace("poll_interval: 50ms", pollLine, StringComparison.Ordinal)}
        upstream:
          {upstream}
        http:
          enabled: false

        """;

    private static int Telemetry(GatewayProcess gateway) =>
        gateway.StandardOutput.Count(l => l.Contains("/telemetry/counter", StringComparison.Ordinal));

    private static int Count(string log, string text) =>
        log.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));

    private static async Task WaitForTelemetryAsync(GatewayProcess gateway, int count)
    {
        DateTime deadline = DateTime.UtcNow + TestTimeouts.Long;
        while (Telemetry(gateway) < count)
        {
            Assert.True(DateTime.UtcNow < deadline && !gateway.HasExited, $"fewer than {count} telemetry messages:\n{gateway.Log}");
            await Task.Delay(50); // polling a count, not synchronising on time
        }
    }
}
