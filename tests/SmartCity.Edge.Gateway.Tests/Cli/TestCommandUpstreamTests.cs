using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Cli;

/// <summary>
/// <c>smartcity-edge test</c>'s upstream checks on the real binary against real peers: mosquitto (plain, with a password
/// and an ACL, with TLS) and an HTTP webhook receiver. Each failure names the key to change and the likely fix.
/// </summary>
public sealed class TestCommandUpstreamTests : IDisposable
{
    private const string Prefix = "smartcity/lab/test-gw";
    private const string Secret = "webhook-secret-0123456789";
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-test-up-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Test_WrongBrokerPort_ValidateIsGreen_TestFailsNamingServerAndThePort()
    {
        using var refusing = new RefusingPort();
        int closed = refusing.Port;
        string config = WriteConfig($"server: mqtt://127.0.0.1:{closed}");

        (int exitCode, _, _) = await GatewayProcess.RunToEndAsync("validate", "--config", config);
        Assert.Equal(0, exitCode); // the file is fine; only a connection finds the wrong port

        (exitCode, string stdout, string stderr) = await GatewayProcess.RunToEndAsync("test", "--config", config);

        Assert.True(exitCode == 1, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Matches($@"  mqtt mqtt://127\.0\.0\.1:{closed}: FAILED after \d+ ms\n    upstream\.mqtt\.server: cannot reach mqtt 127\.0\.0\.1:{closed}: connection refused, nothing listens on port {closed} there: check the port \(1883 is usual for mqtt://\) and that the broker runs", stdout);
        Assert.Contains("1 device tested: 1 answered, 0 failed; 1 of 1 tag good; upstream 0 of 1 ok", stdout, StringComparison.Ordinal);

        // --no-upstream: the devices only, all good.
        (exitCode, stdout, stderr) = await GatewayProcess.RunToEndAsync("test", "--config", config, "--no-upstream");
        Assert.True(exitCode == 0, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.DoesNotContain("upstream", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_BrokerAndWebhookReachable_SubscribesToTheCommandTopics_WebhookGetsASignedMarkedTestDelivery()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        int hookPort = FreePort.Next();
        await using WebhookReceiver receiver = WebhookReceiver.Start(hookPort);
        string config = WriteConfig($"server: mqtt://127.0.0.1:{broker.Port}", $"""
            webhooks:
              - url: http://127.0.0.1:{hookPort}/alarms
                secret: {Secret}
            """);

        (int exitCode, string stdout, string stderr) = await GatewayProcess.RunToEndAsync("test", "--config", config);

        Assert.True(exitCode == 0, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains("upstream (nothing is published; the broker sees client id test-gw-test):", stdout, StringComparison.Ordinal);
        Assert.Matches($@"  mqtt mqtt://127\.0\.0\.1:{broker.Port}: ok in \d+ ms: connected \(no user name, client id test-gw-test\), subscribed to {Prefix}/commands/ack", stdout);
        Assert.Matches($@"  webhook http://127\.0\.0\.1:{hookPort}/alarms: ok in \d+ ms: test delivery accepted \(webhooks\[0\]", stdout);
        Assert.Contains("upstream 2 of 2 ok", stdout, StringComparison.Ordinal);

        // The broker saw our test client subscribe to the command topic, and the gateway's own client id never.
        string log = broker.ReadLog();
        Assert.Contains("as test-gw-test", log, StringComparison.Ordinal);
        Assert.DoesNotContain("as test-gw ", log, StringComparison.Ordinal);

        // The receiver got one POST, signed like a real delivery, marked by header and body.
        ReceivedPost post = await receiver.Posts.ReadAsync().AsTask().WaitAsync(TestTimeouts.Short);
        Assert.Equal(("POST", "/alarms", "1"), (post.Method, post.Path, post.TestMarker));
        Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), post.Body)), post.Signature);
        JsonElement body = JsonDocument.Parse(post.Body).RootElement;
        Assert.True(body.GetProperty("test").GetBoolean());
        Assert.Equal(("test-gw", "smartcity-edge-test", "cleared", "info"), (body.GetProperty("gateway").GetString(), body.GetProperty("alarm").GetString(), body.GetProperty("state").GetString(), body.GetProperty("severity").GetString()));
        Assert.False(receiver.Posts.TryRead(out _), "one test delivery per webhook");

        // --json carries the same checks.
        (exitCode, stdout, _) = await GatewayProcess.RunToEndAsync("test", "--config", config, "--json");
        Assert.Equal(0, exitCode);
        JsonElement[] upstream = JsonDocument.Parse(stdout).RootElement.GetProperty("upstream").EnumerateArray().ToArray();
        Assert.Equal(["mqtt", "webhook"], upstream.Select(u => u.GetProperty("kind").GetString()));
        Assert.All(upstream, u => Assert.True(u.GetProperty("ok").GetBoolean()));
    }

    [Fact]
    public async Task Test_WrongPassword_NamesUsernameAndPassword_NeverPrintsThePassword()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartWithPasswordAsync("gw", "right-password-1");
        string config = WriteConfig($"server: mqtt://127.0.0.1:{broker.Port}\n    username: gw\n    password: wrong-password");

        (int exitCode, string stdout, string stderr) = await GatewayProcess.RunToEndAsync("test", "--config", config);

        Assert.True(exitCode == 1, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Matches($@"    upstream\.mqtt\.username/password: broker mqtt 127\.0\.0\.1:{broker.Port} refused the connection: (NotAuthorized|BadUserNameOrPassword): check the user name and password", stdout);
        Assert.DoesNotContain("wrong-password", stdout + stderr, StringComparison.Ordinal);

        // The right password: connected as the user, subscribed. (mosquitto 2.0's acl_file grants every subscription
        // and filters at delivery, so the refused-subscription text is not shown against it here.)
        config = WriteConfig($"server: mqtt://127.0.0.1:{broker.Port}\n    username: gw\n    password: right-password-1");
        (exitCode, stdout, stderr) = await GatewayProcess.RunToEndAsync("test", "--config", config);
        Assert.True(exitCode == 0, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains($"connected (user gw, client id test-gw-test), subscribed to {Prefix}/commands/ack", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("right-password-1", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_TlsBrokerWithTheWrongCa_NamesCaFile_WebhookRefused_NamesItsPath()
    {
        TestCertificates certificates = TestCertificates.Create(Directory.CreateDirectory(Path.Combine(_directory, "certs")).FullName);
        await using MosquittoBroker broker = await MosquittoBroker.StartWithTlsAsync(certificates, requireClientCertificate: false);
        int hookPort = FreePort.Next();
        await using WebhookReceiver receiver = WebhookReceiver.Start(hookPort, failFirst: 1, failPath: "/nowhere");
        string config = WriteConfig($"server: mqtts://127.0.0.1:{broker.Port}\n    ca_file: {certificates.ClientCaFile}", $"""
            webhooks:
              - url: http://127.0.0.1:{hookPort}/nowhere
                secret: {Secret}
            """);

        // --timeout generous: on a loaded machine a new process's first TLS handshake can pass the default.
        (int exitCode, string stdout, string stderr) = await GatewayProcess.RunToEndAsync("test", "--config", config, "--timeout", PassingTimeout);

        Assert.True(exitCode == 1, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains($"    upstream.mqtt.ca_file: TLS: mqtt 127.0.0.1:{broker.Port} refused: its certificate is not signed by the CA in upstream.mqtt.ca_file '{certificates.ClientCaFile}'", stdout, StringComparison.Ordinal);
        Assert.Contains("    webhooks[0]: test delivery failed: HTTP 503 Service Unavailable", stdout, StringComparison.Ordinal);
        Assert.Contains("upstream 0 of 2 ok", stdout, StringComparison.Ordinal);

        // With the CA that signed the broker's certificate, the same broker is fine.
        config = WriteConfig($"server: mqtts://127.0.0.1:{broker.Port}\n    ca_file: {certificates.CaFile}");
        (exitCode, stdout, stderr) = await GatewayProcess.RunToEndAsync("test", "--config", config, "--timeout", PassingTimeout);
        Assert.True(exitCode == 0, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains($"mqtt mqtts://127.0.0.1:{broker.Port}: ok in ", stdout, StringComparison.Ordinal);
    }

    private static string PassingTimeout => $"{TestTimeouts.Passing.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}s";

    private string WriteConfig(string mqtt, string more = "") => TestConfigs.Write(_directory, $"""
        gateway:
          id: test-gw
          site: lab
          data_dir: {_directory}/data
        devices:
        {TestConfigs.CounterDevice("counter-1", "1s")}
        {more}
        upstream:
          mqtt:
            {mqtt}
            client_id: test-gw
            topic_prefix: {Prefix}
        """.Replace("\n\n\n", "\n", StringComparison.Ordinal));
}
