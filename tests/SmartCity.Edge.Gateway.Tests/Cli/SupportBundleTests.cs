using System.Diagnostics;
using System.Text.Json;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Cli;

/// <summary>
/// <c>smartcity-edge support-bundle</c> on the real binary beside a running gateway: the archive is read back with
/// GNU tar, holds the status, readiness, metrics, data_dir listing and logs, and no secret value of the configuration
/// survives anywhere in it — written inline, from the environment or from a file, leaked into a log line or a URL.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SupportBundleTests : IDisposable
{
    private const string MqttPassword = "mqtt-inline-pass-1";
    private const string HttpToken = "http-token-0123456789abcdef";
    private const string WebhookSecret = "env-webhook-secret-7";
    private const string WebhookQueryKey = "webhook-query-key-9";
    private const string CommandSecret = "file-hs256-secret-5-0123456789abcdef-0123";
    private const string Community = "snmp-community-3";
    private const string SnmpAuthPassword = "snmp-auth-pass-4";

    private readonly string _directory = Directory.CreateTempSubdirectory("edge-bundle-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task SupportBundle_RunningGateway_StatusMetricsAndLogsCollected_NoSecretValueSurvives()
    {
        // A fixed port, not 0: support-bundle, another process, finds the endpoint through this file.
        int httpPort = FreePort.Next();
        File.WriteAllText(Path.Combine(_directory, "night.key"), CommandSecret + "\n");
        string config = TestConfigs.Write(_directory, $$"""
            gateway:
              id: bundle-gw
              site: lab
              data_dir: {{_directory}}/data
            devices:
            {{TestConfigs.CounterDevice("counter-1", "200ms")}}
              - id: ups
                driver: snmp
                host: 127.0.0.1
                port: {{FreePort.Next()}}
                community: {{Community}}
                poll_interval: 5s
                tags:
                  - { id: uptime, oid: 1.3.6.1.2.1.1.3.0 }
              - id: ups-v3
                driver: snmp
                host: 127.0.0.1
                port: {{FreePort.Next()}}
                version: 3
                user: gateway
                auth: { protocol: sha256, password: "{{SnmpAuthPassword}}" }
                poll_interval: 5s
                tags:
                  - { id: uptime, oid: 1.3.6.1.2.1.1.3.0 }
            webhooks:
              - url: http://127.0.0.1:{{FreePort.Next()}}/hook?code={{WebhookQueryKey}}
                secret: ${WEBHOOK_SECRET}
            commands:
              keys:
                - { id: night-shift, alg: HS256, secret: "${file:night.key}", allow: [ack] }
            upstream:
              mqtt:
                server: mqtt://127.0.0.1:{{FreePort.Next()}}
                client_id: bundle-gw
                username: gw
                password: {{MqttPassword}}
            http:
              listen: 127.0.0.1:{{httpPort}}
              token: '{{HttpToken}}'
            """);
        var environment = new Dictionary<string, string> { ["WEBHOOK_SECRET"] = WebhookSecret };
        string[] secrets = [MqttPassword, HttpToken, WebhookSecret, WebhookQueryKey, CommandSecret, Community, SnmpAuthPassword];

        await using GatewayProcess gateway = GatewayProcess.Start(environment, "run", "--config", config);
        await gateway.WaitForLogAsync($"Status page, health and metrics on http://127.0.0.1:{httpPort}/", TestTimeouts.Long);

        // A log that leaked secrets (a debug line pasted in by someone): the bundle must scrub it too.
        string log = Path.Combine(_directory, "gateway.log");
        File.WriteAllText(log, gateway.Log + $"\ndebug: connecting with {MqttPassword}, signing with \"{WebhookSecret}\", key {CommandSecret}\n");
        string bundle = Path.Combine(_directory, "bundle.tar.gz");

        (int exitCode, string stdout, string stderr) = await GatewayProcess.RunToEndAsync(environment, "support-bundle", "--config", config, "--out", bundle, "--log", log);

        Assert.True(exitCode == 0, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains($"wrote {bundle} (", stdout, StringComparison.Ordinal);
        Assert.Contains("5 secrets redacted in the configuration", stdout, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(bundle));

        string root = await ExtractAsync(bundle);
        Assert.StartsWith("smartcity-edge-support-bundle-gw-", Path.GetFileName(root), StringComparison.Ordinal);
        Dictionary<string, string> files = Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f), File.ReadAllText);

        // No secret value anywhere: not in the configuration, the status, the metrics, the logs, the README.
        foreach ((string name, string text) in files)
        {
            foreach (string secret in secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{name} contains the secret {secret}:\n{text}");
            }
        }

        // The configuration keeps its shape: values redacted, references kept as written, everything else as it was.
        string yaml = files["config/gateway.yaml"];
        Assert.Contains("password: <redacted>", yaml, StringComparison.Ordinal);
        Assert.Contains("token: <redacted>", yaml, StringComparison.Ordinal);
        Assert.Contains("community: <redacted>", yaml, StringComparison.Ordinal);
        Assert.Contains("auth: { protocol: sha256, password: <redacted> }", yaml, StringComparison.Ordinal);
        Assert.Contains("/hook?<redacted>", yaml, StringComparison.Ordinal);
        Assert.Contains("secret: ${WEBHOOK_SECRET}", yaml, StringComparison.Ordinal);
        Assert.Contains("secret: \"${file:night.key}\"", yaml, StringComparison.Ordinal);
        Assert.Contains("username: gw", yaml, StringComparison.Ordinal);
        Assert.Contains("OK — gateway bundle-gw, 3 devices", files["config/validate.txt"], StringComparison.Ordinal);

        // What the running gateway said of itself, fetched with its token.
        JsonElement status = JsonDocument.Parse(files["status.json"]).RootElement;
        Assert.True(status.TryGetProperty("buffer", out _), files["status.json"]);
        Assert.Contains("counter-1", files["status.json"], StringComparison.Ordinal);
        Assert.Contains("# TYPE", files["metrics.txt"], StringComparison.Ordinal);
        Assert.False(files.ContainsKey("status.txt"), files.GetValueOrDefault("status.txt"));
        Assert.Contains("smartcity-edge 1.", files["version.txt"], StringComparison.Ordinal);
        Assert.Contains("buffer", files["data_dir.txt"], StringComparison.Ordinal);
        Assert.Contains("debug: connecting with <redacted>, signing with \"<redacted>\", key <redacted>", files["logs/gateway.log"], StringComparison.Ordinal);
        Assert.Contains("Status page, health and metrics on", files["logs/gateway.log"], StringComparison.Ordinal);
        Assert.True(files.ContainsKey("logs/journal.txt"));
        Assert.True(files.ContainsKey("certificates.txt"));
    }

    [Fact]
    public async Task SupportBundle_BrokenConfiguration_StillWritten_ProblemsAndRedactedText_NoGatewayRunning()
    {
        string config = Path.Combine(_directory, "broken.yaml");
        File.WriteAllText(config, $"""
            gateway:
              id: broken-gw
            upstream:
              mqtt:
                server: mqtt://127.0.0.1:1883
                password: {MqttPassword}
                qos: [
            """);
        string root = await BundleAsync(config, "broken");
        string yaml = File.ReadAllText(Path.Combine(root, "config", "broken.yaml"));
        Assert.Contains("password: <redacted>", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain(MqttPassword, string.Concat(Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(File.ReadAllText)), StringComparison.Ordinal);
        Assert.Contains("problem", File.ReadAllText(Path.Combine(root, "config", "validate.txt")), StringComparison.Ordinal);
        Assert.Contains("the configuration has problems", File.ReadAllText(Path.Combine(root, "status.txt")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SupportBundle_TlsFilesConfigured_CertificatesListedWithExpiryAndFingerprint_KeyNeverIncluded()
    {
        TestCertificates tls = TestCertificates.Create(_directory);
        string config = TestConfigs.Write(_directory, $$"""
            gateway:
              id: tls-gw
              site: lab
              data_dir: {{_directory}}/data
            devices:
            {{TestConfigs.CounterDevice("counter-1", "1s")}}
            webhooks:
              - url: https://localhost:{{FreePort.Next()}}/hook?code={{WebhookQueryKey}}
                secret: {{WebhookSecret}}
                ca_file: {{tls.CaFile}}
            upstream:
              mqtt:
                server: mqtts://localhost:{{FreePort.Next()}}
                client_id: tls-gw
                ca_file: {{tls.CaFile}}
                client_cert: {{tls.ClientCertFile}}
                client_key: {{tls.ClientKeyFile}}
            """);
        string root = await BundleAsync(config, "tls");
        string listing = File.ReadAllText(Path.Combine(root, "tls.txt"));

        using var ca = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(tls.CaFile));
        using var client = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(tls.ClientCertFile));
        string caHash = ca.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);
        Assert.Contains("upstream.mqtt (mqtts://localhost:", listing, StringComparison.Ordinal);
        Assert.Contains($"  ca_file: {tls.CaFile}", listing, StringComparison.Ordinal);
        Assert.Contains("subject: CN=Desk Test CA", listing, StringComparison.Ordinal);
        Assert.Contains("(29 days left)", listing, StringComparison.Ordinal);
        Assert.Contains("subject: CN=alarm-gw", listing, StringComparison.Ordinal);
        Assert.Contains("issuer: CN=Gateways Test CA", listing, StringComparison.Ordinal);
        Assert.Contains("sha256: " + client.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256), listing, StringComparison.Ordinal);
        Assert.Contains($"  client_key: {tls.ClientKeyFile} (the key itself is not included)", listing, StringComparison.Ordinal);
        Assert.Equal(2, listing.Split("sha256: " + caHash).Length - 1);
        Assert.Contains("webhooks[0] (https://localhost:", listing, StringComparison.Ordinal);
        Assert.DoesNotContain(WebhookQueryKey, listing, StringComparison.Ordinal);

        // The private key's base64 body is nowhere in the archive.
        string keyBody = string.Concat(File.ReadAllLines(tls.ClientKeyFile).Where(l => !l.StartsWith("-----", StringComparison.Ordinal)));
        string everything = string.Concat(Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(File.ReadAllText));
        Assert.DoesNotContain(keyBody[..40], everything, StringComparison.Ordinal);
        Assert.DoesNotContain(WebhookSecret, everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SupportBundle_HttpListenPortZero_StatusTxtSaysThePortIsInTheGatewaysLog()
    {
        string config = TestConfigs.Write(_directory, $"""
            gateway:
              id: zero-gw
              data_dir: {_directory}/data
            devices:
            {TestConfigs.CounterDevice("counter-1", "1s")}
            http:
              listen: 127.0.0.1:0
            """);
        string root = await BundleAsync(config, "zero");
        Assert.Equal(
            "not collected: http.listen has port 0, so the gateway's port is known only from its log (\"Status page, health and metrics on http://…\", event 1400); open /api/status, /readyz and /metrics there\n",
            File.ReadAllText(Path.Combine(root, "status.txt")));
        Assert.False(File.Exists(Path.Combine(root, "metrics.txt")), "nothing was fetched from port 0");
    }

    /// <summary>Runs <c>support-bundle</c> on <paramref name="config"/> to a bundle named <paramref name="name"/>, which must succeed; the extracted bundle's folder.</summary>
    private async Task<string> BundleAsync(string config, string name)
    {
        string bundle = Path.Combine(_directory, name + ".tar.gz");
        (int exitCode, string stdout, string stderr) = await GatewayProcess.RunToEndAsync("support-bundle", "--config", config, "--out", bundle);
        Assert.True(exitCode == 0, $"exit {exitCode}\n{stdout}\n{stderr}");
        return await ExtractAsync(bundle);
    }

    /// <summary>Unpacks <paramref name="bundle"/>; its one top folder.</summary>
    private async Task<string> ExtractAsync(string bundle)
    {
        string extracted = Directory.CreateDirectory(Path.Combine(_directory, "extracted")).FullName;
        await RunAsync("tar", "-xzf", bundle, "-C", extracted);
        return Assert.Single(Directory.GetDirectories(extracted));
    }

    private static async Task RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} exited {process.ExitCode}: {error}");
    }
}
