using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Hosting;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Configuration;

/// <summary><c>upstream.mqtt</c> security keys: plaintext credentials, credentials in the URL, and the TLS files.</summary>
public sealed class MqttSecurityConfigurationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-mqttsec-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ConfigurationLoadResult Load(string mqttLines) =>
        new GatewayConfigurationLoader(GatewayHost.CreateDriverFactories(), _ => null).Load(
            $"gateway: {{ id: g }}\nupstream:\n  mqtt:\n{string.Concat(mqttLines.Split('\n').Select(l => "    " + l + "\n"))}",
            "c.yaml",
            _directory);

    [Theory]
    [InlineData("broker.park.example")]
    [InlineData("10.0.0.5")]
    public void Load_PlaintextCredentialsToAnotherHost_Refused(string host)
    {
        ConfigurationLoadResult result = Load($"server: mqtt://{host}:1883\nusername: gw\npassword: secret-password");

        Assert.Equal(
            [$"c.yaml:4:13 upstream.mqtt.server: mqtt:// to {host} would send the user name, password, every reading and every command unencrypted over the network: use mqtts:// (port 8883, ca_file: for a private CA), or set allow_plaintext: true to accept that"],
            result.Problems.All.Select(p => p.ToString()));
    }

    [Theory]
    [InlineData("server: mqtt://10.0.0.5:1883\nusername: gw\npassword: p\nallow_plaintext: true")]
    [InlineData("server: mqtt://127.0.0.1:1883\nusername: gw\npassword: p")]
    [InlineData("server: mqtt://localhost:1883\nusername: gw\npassword: p")]
    [InlineData("server: mqtt://[::1]:1883\nusername: gw\npassword: p")]
    [InlineData("server: mqtt://10.0.0.5:1883")]
    public void Load_PlaintextAllowedOrLoopbackOrWithoutCredentials_Accepted(string lines)
    {
        ConfigurationLoadResult result = Load(lines);

        Assert.Empty(result.Problems.All);
    }

    [Fact]
    public void Load_CredentialsInTheServerUrl_RefusedWithoutEchoingThem()
    {
        ConfigurationLoadResult result = Load("server: mqtts://gw:Url-Secret-1@broker.example:8883");

        Assert.Equal(
            ["c.yaml:4:13 upstream.mqtt.server: the broker address carries a user name or password, which the gateway does not use: write them as username: and password: (password: ${file:/etc/smartcity-edge/mqtt-password})"],
            result.Problems.All.Select(p => p.ToString()));
    }

    [Fact]
    public void Load_TlsFiles_ReadAtLoad_ProblemsAtTheirKeys_KeyNeverQuoted()
    {
        TestCertificates certificates = TestCertificates.Create(_directory);
        string brokenKey = Path.Combine(_directory, "broken-key.pem");
        File.WriteAllText(brokenKey, "-----BEGIN PRIVATE KEY-----\nS3CR3TKEYMATERIAL\n-----END PRIVATE KEY-----\n");

        ConfigurationLoadResult valid = Load($"server: mqtts://127.0.0.1:8883\nca_file: {certificates.CaFile}\nclient_cert: {certificates.ClientCertFile}\nclient_key: {certificates.ClientKeyFile}");
        ConfigurationLoadResult keyAlone = Load($"server: mqtts://127.0.0.1:8883\nclient_key: {certificates.ClientKeyFile}");
        ConfigurationLoadResult broken = Load($"server: mqtts://127.0.0.1:8883\nclient_cert: {certificates.ClientCertFile}\nclient_key: {brokenKey}");
        ConfigurationLoadResult plain = Load($"server: mqtt://127.0.0.1:1883\nca_file: {certificates.CaFile}");
        ConfigurationLoadResult device = Load("server: mqtts://127.0.0.1:8883\nca_file: /dev/zero");

        MqttUpstreamConfiguration mqtt = valid.Configuration!.Upstream.Mqtt!;
        Assert.Single(mqtt.Tls!.Roots!);
        Assert.True(mqtt.Tls.ClientCertificate!.HasPrivateKey);
        Assert.Equal(["c.yaml:5:17 upstream.mqtt.client_key: client_cert and client_key go together: set both for mutual TLS, or neither"], keyAlone.Problems.All.Select(p => p.ToString()));
        Assert.StartsWith($"c.yaml:5:18 upstream.mqtt.client_cert: cannot use client_cert '{certificates.ClientCertFile}' with client_key '{brokenKey}': ", broken.Problems.All.Single().ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("S3CR3TKEYMATERIAL", broken.Problems.All.Single().ToString(), StringComparison.Ordinal);
        Assert.Equal(["c.yaml:5:14 upstream.mqtt.ca_file: is only used with an mqtts:// server"], plain.Problems.All.Select(p => p.ToString()));
        Assert.Equal(["c.yaml:5:14 upstream.mqtt.ca_file: file '/dev/zero' is a character device (like /dev/zero or a serial port), not a file; name a regular file"], device.Problems.All.Select(p => p.ToString()));
    }

    [Fact]
    public void Load_CaFileReplacedInPlace_CountsAsAChangeForReload()
    {
        TestCertificates certificates = TestCertificates.Create(_directory);
        string caFile = Path.Combine(_directory, "broker-ca.pem");
        File.Copy(certificates.ClientCaFile, caFile);
        MqttUpstreamConfiguration before = Load($"server: mqtts://127.0.0.1:8883\nca_file: {caFile}").Configuration!.Upstream.Mqtt!;
        MqttUpstreamConfiguration same = Load($"server: mqtts://127.0.0.1:8883\nca_file: {caFile}").Configuration!.Upstream.Mqtt!;
        File.Copy(certificates.CaFile, caFile, overwrite: true);
        MqttUpstreamConfiguration after = Load($"server: mqtts://127.0.0.1:8883\nca_file: {caFile}").Configuration!.Upstream.Mqtt!;

        Assert.True(ConfigEquality.DeepEquals(before, same));
        Assert.False(ConfigEquality.DeepEquals(before, after));
    }
}
