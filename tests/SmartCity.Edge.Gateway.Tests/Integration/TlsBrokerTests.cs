using System.Text.RegularExpressions;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// <c>mqtts://</c> against a real mosquitto with a TLS listener and certificates of a private test CA: the broker is
/// verified, a wrong CA is refused with a log naming the key to set, mutual TLS works with
/// <c>client_cert</c>/<c>client_key</c> (and is refused without), and a <c>ca_file</c> replaced in place is applied by
/// a reload, after which everything buffered arrives.
/// </summary>
public sealed class TlsBrokerTests : IDisposable
{
    private const string Prefix = "smartcity/lab/tls-gw";
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-tlsbroker-").FullName;
    private readonly TestCertificates _certificates;
    private readonly HttpClient _http = new() { Timeout = TestTimeouts.Short };

    public TlsBrokerTests()
    {
        _certificates = TestCertificates.Create(_directory);
    }

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task MqttsWithCaFile_BrokerVerified_TelemetryDelivered()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartWithTlsAsync(_certificates, requireClientCertificate: false);
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(broker.AnonymousPort, Prefix + "/#");
        string config = TestConfigs.Write(_directory, Config(broker.Port, $"ca_file: {_certificates.CaFile}"));
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);

        List<ReceivedMessage> received = await subscriber.CollectUntilAsync(r => TelemetryLog.Readings(r).Count() >= 10, TestTimeouts.Long);

        Assert.Empty(TelemetryLog.MissingSeqs(received));
        Assert.Contains(received, m => m.Topic == $"{Prefix}/status" && m.Payload == "online");
        Assert.Contains($"Connected to MQTT broker mqtts://127.0.0.1:{broker.Port}", gateway.Log, StringComparison.Ordinal);
        Assert.False(gateway.HasExited, gateway.Log);
    }

    [Fact]
    public async Task MqttsWithWrongCaOrNone_Refused_LogNamesCaFile_NothingDelivered()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartWithTlsAsync(_certificates, requireClientCertificate: false);
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(broker.AnonymousPort, Prefix + "/#");

        // The gateways' CA did not sign the broker's certificate.
        string config = TestConfigs.Write(_directory, Config(broker.Port, $"ca_file: {_certificates.ClientCaFile}"));
        await using (GatewayProcess gateway = GatewayProcess.Start("run", "--config", config))
        {
            // The reason of the outage log (logged again whenever it changes, e.g. after a first timeout on a busy machine).
            await gateway.WaitForLogAsync("set ca_file to the PEM file of the CA that signed the broker's certificate. Buffering on disk", TestTimeouts.Long);
            Assert.Matches(
                $@"TLS: mqtt 127\.0\.0\.1:{broker.Port} refused: its certificate is not signed by the CA in upstream\.mqtt\.ca_file '{Regex.Escape(_certificates.ClientCaFile)}' \([A-Za-z, ]+\): set ca_file to the PEM file of the CA that signed the broker's certificate",
                gateway.Log);
        }

        // No ca_file: the system trust store does not know the park's private CA.
        TestConfigs.Write(_directory, Config(broker.Port, string.Empty));
        await using (GatewayProcess gateway = GatewayProcess.Start("run", "--config", config))
        {
            await gateway.WaitForLogAsync("(a park's private CA). Buffering on disk", TestTimeouts.Long);
            Assert.Matches(@"its certificate is not signed by a CA in the system trust store \([A-Za-z, ]+\): set upstream\.mqtt\.ca_file", gateway.Log);
        }

        Assert.False(subscriber.Messages.TryRead(out ReceivedMessage? leaked), $"nothing may pass an unverified broker, got {leaked}");
    }

    [Fact]
    public async Task MutualTls_WithClientCertAndKey_Delivered_WithoutThem_RefusedWithAHint()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartWithTlsAsync(_certificates, requireClientCertificate: true);
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(broker.AnonymousPort, Prefix + "/#");

        string config = TestConfigs.Write(_directory, Config(broker.Port, $"ca_file: {_certificates.CaFile}"));
        await using (GatewayProcess gateway = GatewayProcess.Start("run", "--config", config))
        {
            await gateway.WaitForLogAsync("set upstream.mqtt.client_cert and client_key). Buffering on disk", TestTimeouts.Long);
            Assert.DoesNotContain("Connected to MQTT broker", gateway.Log, StringComparison.Ordinal);
        }

        Assert.False(subscriber.Messages.TryRead(out ReceivedMessage? early), $"nothing may pass without a client certificate, got {early}");
        TestConfigs.Write(_directory, Config(broker.Port, $"""
            ca_file: {_certificates.CaFile}
                client_cert: {_certificates.ClientCertFile}
                client_key: {_certificates.ClientKeyFile}
            """));
        await using (GatewayProcess gateway = GatewayProcess.Start("run", "--config", config))
        {
            // Everything the first run buffered (same data_dir) arrives, then live data.
            List<ReceivedMessage> received = await subscriber.CollectUntilAsync(r => TelemetryLog.Readings(r).Count() >= 30, TestTimeouts.Long);
            Assert.Equal(1, TelemetryLog.Readings(received).Min(x => x.Seq));
            Assert.Empty(TelemetryLog.MissingSeqs(received));
            Assert.DoesNotContain("BEGIN", gateway.Log, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Reload_CaFileReplacedInPlace_ConnectsAndDeliversEveryBufferedSeqInOrder()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartWithTlsAsync(_certificates, requireClientCertificate: false);
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(broker.AnonymousPort, Prefix + "/#");
        string caFile = Path.Combine(_directory, "broker-ca.pem");
        File.Copy(_certificates.ClientCaFile, caFile); // the wrong CA, as a technician's first try
        string config = TestConfigs.Write(_directory, Config(broker.Port, $"ca_file: {caFile}", httpEndpoint: true));
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        int httpPort = await gateway.WaitForHttpPortAsync();

        await gateway.WaitForLogAsync("set ca_file to the PEM file of the CA that signed the broker's certificate", TestTimeouts.Long);
        await GatewayMetrics.WaitForAsync(_http, httpPort, m => GatewayMetrics.BufferedTelemetry(m) >= 20);

        // The same path, the right CA; gateway.yaml is not touched.
        File.Copy(_certificates.CaFile, caFile, overwrite: true);
        await gateway.SighupAsync();
        Assert.Contains("upstream.mqtt changed; reconnecting with mqtts://127.0.0.1", gateway.Log, StringComparison.Ordinal);

        long bufferedAtFix = GatewayMetrics.BufferedTelemetry(await GatewayMetrics.ScrapeAsync(_http, httpPort));
        List<ReceivedMessage> received = await subscriber.CollectUntilAsync(
            r => TelemetryLog.Readings(r).Any(x => x.Seq > bufferedAtFix + 20),
            TestTimeouts.Long);
        Assert.Equal(1, TelemetryLog.Readings(received).Min(x => x.Seq));
        Assert.Empty(TelemetryLog.MissingSeqs(received));
        TelemetryLog.AssertInOrderPerDevice(received);
        Assert.False(gateway.HasExited, gateway.Log);
    }

    [Fact]
    public async Task PlaintextCredentialsToAnotherHost_ValidateRefuses_AllowPlaintextRunsAndWarnsAtStart()
    {
        // 192.0.2.1 (TEST-NET-1) is not this machine; nothing answers there, which does not matter here.
        string remote = Config(1883, "username: gw\n    password: pw-1234").Replace("mqtts://127.0.0.1:1883", "mqtt://192.0.2.1:1883", StringComparison.Ordinal);
        string config = TestConfigs.Write(_directory, remote);

        (int exitCode, _, string stderr) = await GatewayProcess.RunToEndAsync("validate", "--config", config);
        Assert.Equal(1, exitCode);
        Assert.Contains("upstream.mqtt.server: mqtt:// to 192.0.2.1 would send the user name, password, every reading and every command unencrypted", stderr, StringComparison.Ordinal);

        TestConfigs.Write(_directory, remote.Replace("    client_id: tls-gw", "    client_id: tls-gw\n    allow_plaintext: true", StringComparison.Ordinal));
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        await gateway.WaitForLogAsync("upstream.mqtt.allow_plaintext: the user name, password, every reading and every command go to 192.0.2.1:1883 unencrypted", TestTimeouts.Long);
        Assert.DoesNotContain("pw-1234", gateway.Log, StringComparison.Ordinal);
        await gateway.TerminateAsync();
        Assert.Equal(0, gateway.ExitCode);
    }

    private string Config(int brokerPort, string tlsLines, bool httpEndpoint = false) =>
        $"""
        gateway:
          id: tls-gw
          site: lab
          data_dir: {_directory}/data
        devices:
        {TestConfigs.CounterDevice("counter", "50ms")}
        upstream:
          mqtt:
            server: mqtts://127.0.0.1:{brokerPort}
            client_id: tls-gw
            topic_prefix: {Prefix}
            {tlsLines}
        http:
        {(httpEndpoint ? "  listen: 127.0.0.1:0" : "  enabled: false")}
        """;
}
