using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using SmartCity.Edge.Gateway.Pipeline;
using SmartCity.Edge.Gateway.Tests.Cli;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// The real binary against a node-opcua server that restarts differently from how it went (node-opcua #1059 and
/// other clients' "never recovers after the server restarted"): with its namespaces registered in another order (tags
/// configured by <c>nsu=</c> URI keep reading their own nodes), and with a new application certificate (refused until
/// a technician trusts it with <c>smartcity-edge opcua trust</c>, then read again without a gateway restart).
/// </summary>
public sealed partial class OpcUaPeerRestartTests : BrokerTest
{
    private const string Prefix = "smartcity/lab/ua-gw";
    private const string MetersLevel = "nsu=urn:smartcity:test:meters;s=Level";
    private const string MetersTicks = "nsu=urn:smartcity:test:meters;s=Ticks";

    /// <summary>
    /// Bound for the gateway to read again after the server was away (restarting, or refused until trusted): while it
    /// is away the device's retries back off up to <see cref="DeviceSupervisor.MaxRetryDelay"/> (+20 % jitter), and a
    /// node-opcua start on a loaded machine lasts long enough to reach it; then a connect and a session.
    /// </summary>
    private static readonly TimeSpan s_readAgain = (DeviceSupervisor.MaxRetryDelay * 1.2) + TestTimeouts.Long;

    private static string Server => Path.Combine(PeerProcess.PeersDirectory, "opcua", "namespaces-server.js");

    [Fact]
    public async Task ServerRestartedWithNamespacesInAnotherOrder_NsuTagsKeepReadingTheirOwnNodes()
    {
        string pki = System.IO.Directory.CreateDirectory(Path.Combine(Directory, "server-pki")).FullName;

        // First life: doors registered before meters (meters' Level = 102, doors' = 101).
        PeerProcess first = await PeerProcess.StartAsync("node", Server, "0", pki, "doors,meters", "100");
        int port = first.Port;
        string config = TestConfigs.Write(Directory, Config(port, security: "{ policy: None, mode: None }", $"""
                  - id: level
                    node: "{MetersLevel}"
                  - id: level_polled
                    node: "{MetersLevel}"
                    mode: poll
            """));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/telemetry/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        var received = new List<ReceivedMessage>();
        try
        {
            received.AddRange(await WithLogAsync(gateway, subscriber.CollectUntilAsync(r => HasValue(r, "level", 102) && HasValue(r, "level_polled", 102), TestTimeouts.Long)));
        }
        finally
        {
            await first.DisposeAsync();
        }

        // Second life on the same port: meters registered first, so its namespace index is now the doors' old one.
        await using PeerProcess second = await PeerProcess.StartAsync("node", Server, port.ToString(CultureInfo.InvariantCulture), pki, "meters,doors", "200");
        received.AddRange(await WithLogAsync(gateway, subscriber.CollectUntilAsync(r => HasValue(r, "level", 202) && HasValue(r, "level_polled", 202), s_readAgain)));

        // Never the other namespace's variable, not even for one reading.
        double[] values = [.. Values(received, "level"), .. Values(received, "level_polled")];
        Assert.DoesNotContain(101, values);
        Assert.DoesNotContain(201, values);
        Assert.Contains("OPC UA reconnected to", gateway.Log, StringComparison.Ordinal);
        Assert.False(gateway.HasExited, gateway.Log);
    }

    [Fact]
    public async Task ServerRestartedWithNewCertificate_RefusedUntilTrusted_ThenReadsWithoutGatewayRestart()
    {
        string firstPki = Path.Combine(Directory, "server-pki-1");
        string secondPki = Path.Combine(Directory, "server-pki-2");

        // node-opcua makes its certificate on its first start in a PKI folder: make the second one now (a throw-away
        // start), so the restart later is quick.
        Task<PeerProcess> firstStart = PeerProcess.StartAsync("node", Server, "0", firstPki, "doors,meters", "100");
        await (await PeerProcess.StartAsync("node", Server, "0", secondPki, "doors,meters", "100")).DisposeAsync();
        PeerProcess first = await firstStart;
        int port = first.Port;
        string config = TestConfigs.Write(Directory, Config(port, security: "{ policy: Basic256Sha256, mode: SignAndEncrypt, trust_on_first_use: true, check_hostname: false }", $"""
                  - id: ticks
                    node: "{MetersTicks}"
            """));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/telemetry/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        try
        {
            await WithLogAsync(gateway, subscriber.CollectUntilAsync(r => Readings(r, "ticks").Count(IsGood) >= 3, TestTimeouts.Long));
        }
        finally
        {
            await first.DisposeAsync();
        }

        // The same server restarts with a new certificate: refused, with the command that trusts it.
        DateTimeOffset restartedAt = DateTimeOffset.UtcNow;
        await using PeerProcess second = await PeerProcess.StartAsync("node", Server, port.ToString(CultureInfo.InvariantCulture), secondPki, "doors,meters", "100");
        await gateway.WaitForLogAsync("BadCertificateUntrusted", s_readAgain);
        string thumbprint = TrustCommand().Match(gateway.Log).Groups[1].Value;
        Assert.Matches("^[0-9A-F]{64}$", thumbprint); // SHA-256 (docs/opcua.md, "Trust")
        var received = new List<ReceivedMessage>();
        received.AddRange(await subscriber.CollectUntilAsync(r => Readings(r, "ticks").Any(x => !IsGood(x)), TestTimeouts.Long));
        DateTimeOffset trustedAt = DateTimeOffset.UtcNow;

        (int exitCode, string output, string error) = await GatewayProcess.RunToEndAsync("opcua", "trust", thumbprint, "--config", config);
        Assert.True(exitCode == 0, $"opcua trust failed: {output}\n{error}");

        // Read again by the same gateway process, with the server's timestamps after the trust.
        received.AddRange(await WithLogAsync(gateway, subscriber.CollectUntilAsync(r => Readings(r, "ticks").Count(x => IsGood(x) && Ts(x) > trustedAt) >= 3, s_readAgain)));
        Assert.False(gateway.HasExited, gateway.Log);

        // Nothing was read from the untrusted server: no good value stamped between its restart and the trust.
        Assert.DoesNotContain(Readings(received, "ticks"), x => IsGood(x) && Ts(x) > restartedAt && Ts(x) < trustedAt);
    }

    private string Config(int port, string security, string tags) => $"""
        gateway:
          id: ua-gw
          site: lab
          data_dir: {Directory}/data
        devices:
          - id: meters
            driver: opcua
            endpoint: opc.tcp://127.0.0.1:{port}
            security: {security}
            poll_interval: 200ms
            publishing_interval: 100ms
            tags:
        {tags}
        upstream:
          mqtt:
            server: mqtt://127.0.0.1:{Broker.Port}
            topic_prefix: {Prefix}
        """;

    private static IEnumerable<JsonElement> Readings(IEnumerable<ReceivedMessage> messages, string tag) =>
        TelemetryLog.Readings(messages).Select(x => x.Reading).Where(r => r.GetProperty("tag").GetString() == tag);

    private static IEnumerable<double> Values(IEnumerable<ReceivedMessage> messages, string tag) =>
        Readings(messages, tag).Where(IsGood).Select(r => r.GetProperty("value").GetDouble());

    private static bool HasValue(IEnumerable<ReceivedMessage> messages, string tag, double value) => Values(messages, tag).Contains(value);

    private static bool IsGood(JsonElement reading) => reading.GetProperty("quality").GetString() == "good";

    private static DateTimeOffset Ts(JsonElement reading) =>
        DateTimeOffset.Parse(reading.GetProperty("ts").GetString()!, CultureInfo.InvariantCulture);

    private static async Task<T> WithLogAsync<T>(GatewayProcess gateway, Task<T> task)
    {
        try
        {
            return await task;
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\n{gateway.Log}", ex);
        }
    }

    [GeneratedRegex(@"smartcity-edge opcua trust ([0-9A-Fa-f]+)")]
    private static partial Regex TrustCommand();
}
