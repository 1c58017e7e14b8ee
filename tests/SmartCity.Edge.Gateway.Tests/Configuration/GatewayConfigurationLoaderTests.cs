using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Hosting;

namespace SmartCity.Edge.Gateway.Tests.Configuration;

public sealed class GatewayConfigurationLoaderTests
{
    private static GatewayConfigurationLoader Loader(Dictionary<string, string>? env = null) =>
        new(GatewayHost.CreateDriverFactories(), key => env?.GetValueOrDefault(key));

    [Fact]
    public void Load_DemoConfiguration_IsValidAndComplete()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "config", "demo.yaml");
        ConfigurationLoadResult result = Loader().LoadFile(path);

        Assert.Empty(result.Problems.All);
        GatewayConfiguration configuration = Assert.IsType<GatewayConfiguration>(result.Configuration);
        Assert.Equal(["fire-panel-1", "gas-detector-2", "door-contacts", "ups-1"], configuration.Devices.Select(d => d.Id));
        Assert.True(configuration.Upstream.Console);
        Assert.Null(configuration.Upstream.Mqtt);
        Assert.Contains(configuration.Alarms, a => a.Id == "smoke-zone1-high" && a.Condition == AlarmCondition.Above && a.Severity == AlarmSeverity.Critical);
    }

    [Fact]
    public void Load_EnvironmentReference_SubstitutesTheValue()
    {
        const string yaml = """
            gateway: { id: gw-1 }
            devices: []
            upstream:
              mqtt:
                server: mqtt://127.0.0.1:${PORT}
                username: ${USER_NAME}
                password: pre-${SECRET}-post
            """;
        ConfigurationLoadResult result = Loader(new() { ["PORT"] = "18830", ["USER_NAME"] = "edge", ["SECRET"] = "x$y" }).Load(yaml, "c.yaml", "/tmp");

        MqttUpstreamConfiguration mqtt = Assert.IsType<MqttUpstreamConfiguration>(result.Configuration?.Upstream.Mqtt);
        Assert.Equal(18830, mqtt.Port);
        Assert.Equal("edge", mqtt.Username);
        Assert.Equal("pre-x$y-post", mqtt.Password);
        Assert.DoesNotContain("x$y", mqtt.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SecretFileReference_ReadsTheFileBesideTheConfigWithoutItsLineBreak()
    {
        string directory = Directory.CreateTempSubdirectory("edge-secret-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(directory, "secrets"));
            File.WriteAllText(Path.Combine(directory, "secrets", "mqtt"), "s3cr3t with spaces\n");
            File.WriteAllText(Path.Combine(directory, "gateway.yaml"), """
                gateway: { id: gw-1 }
                devices: []
                upstream:
                  mqtt:
                    server: mqtt://127.0.0.1:1883
                    username: edge
                    password: ${file:secrets/mqtt}
                """);

            ConfigurationLoadResult result = Loader().LoadFile(Path.Combine(directory, "gateway.yaml"));

            Assert.Empty(result.Problems.All);
            Assert.Equal("s3cr3t with spaces", result.Configuration?.Upstream.Mqtt?.Password);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Load_SecretFileMissingEmptyOrTooBig_ProblemAtTheKeyNamingTheFile()
    {
        string directory = Directory.CreateTempSubdirectory("edge-secret-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(directory, "huge"), new byte[100_000]);
            const string yaml = """
                gateway: { id: gw-1 }
                devices: []
                upstream:
                  mqtt:
                    server: mqtt://127.0.0.1:1883
                    username: ${file:}
                    password: ${file:missing/password}
                    ca_file: ${file:huge}
                """;
            ConfigurationLoadResult result = Loader().Load(yaml, "c.yaml", directory);

            Assert.Null(result.Configuration);
            Assert.Equal(
                [
                    "c.yaml:6:15 upstream.mqtt.username: '${file:}' names no file (write ${file:/etc/smartcity-edge/mqtt-password})",
                    $"c.yaml:7:15 upstream.mqtt.password: secret file '{directory}/missing/password' does not exist",
                    $"c.yaml:8:14 upstream.mqtt.ca_file: secret file '{directory}/huge' is 100000 bytes; it may hold at most 64 KiB (wrong path?)",
                ],
                result.Problems.All.Select(p => p.ToString()));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("127.0.0.1:0", "127.0.0.1:0")]
    [InlineData("\"[::1]:0\"", "[::1]:0")]
    [InlineData("localhost:0", "127.0.0.1:0")]
    public void Load_HttpListenPortZero_IsAcceptedAsAPortTheSystemPicks(string listen, string expected)
    {
        ConfigurationLoadResult result = LoadHttpListen(listen);

        Assert.Empty(result.Problems.All);
        Assert.Equal(expected, result.Configuration!.Http.Listen.ToString());
    }

    [Theory]
    [InlineData("\"8080\"", "'8080'")]
    [InlineData("\"::1\"", "'::1'")]
    [InlineData("127.0.0.1", "'127.0.0.1'")]
    public void Load_HttpListenWithoutAPort_ProblemAtListen(string listen, string quoted)
    {
        ConfigurationLoadResult result = LoadHttpListen(listen);

        Assert.Equal(
            [$"c.yaml:4:11 http.listen: {quoted} is not an address and port (write 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080)"],
            result.Problems.All.Select(p => p.ToString()));
    }

    private static ConfigurationLoadResult LoadHttpListen(string listen) =>
        Loader().Load($"gateway: {{ id: gw-1 }}\ndevices: []\nhttp:\n  listen: {listen}\n", "c.yaml", "/tmp");

    [Fact]
    public void Load_PersistentSession_OnByDefault_OffAllowsAnEmptyClientId()
    {
        const string yaml = """
            gateway: { id: gw-1 }
            devices: []
            upstream:
              mqtt:
                server: mqtt://127.0.0.1:1883
            """;
        MqttUpstreamConfiguration byDefault = Loader().Load(yaml, "c.yaml", "/tmp").Configuration!.Upstream.Mqtt!;
        Assert.True(byDefault.PersistentSession);
        Assert.Equal("gw-1", byDefault.ClientId);

        ConfigurationLoadResult off = Loader().Load(yaml + "\n    client_id: \"\"\n    persistent_session: false", "c.yaml", "/tmp");
        Assert.Empty(off.Problems.All);
        Assert.False(off.Configuration!.Upstream.Mqtt!.PersistentSession);
    }

    [Fact]
    public void Load_DurationsAndSizes_AreParsedWithTheirUnits()
    {
        const string yaml = """
            gateway: { id: gw-1, data_dir: rel/data }
            devices:
              - id: d1
                driver: simulator
                poll_interval: 1.5s
                tags: [{ id: t, signal: counter, deadband: 2 }]
            buffer: { max_disk: 512MiB }
            upstream: { console: true }
            """;
        GatewayConfiguration configuration = Loader().Load(yaml, "c.yaml", "/srv/edge").Configuration!;

        Assert.Equal(TimeSpan.FromMilliseconds(1500), configuration.Devices[0].Descriptor.PollInterval);
        Assert.Equal(512L << 20, configuration.Buffer.MaxDiskBytes);
        Assert.Equal("/srv/edge/rel/data", configuration.Gateway.DataDirectory);
        Assert.Equal(2, configuration.Devices[0].Tags[0].Deadband);
        Assert.Equal("smartcity/gw-1", configuration.Upstream.TopicPrefix);
    }

    [Fact]
    public void Load_EqualsTrue_IsABooleanThreshold()
    {
        const string yaml = """
            gateway: { id: gw-1 }
            devices:
              - { id: door, driver: simulator, tags: [{ id: open, signal: toggle }] }
            alarms:
              - { id: door-open, tag: door/open, equals: true }
            upstream: { console: true }
            """;
        AlarmRule rule = Loader().Load(yaml, "c.yaml", "/tmp").Configuration!.Alarms.Single();

        Assert.Equal(AlarmCondition.EqualTo, rule.Condition);
        Assert.Equal(TagValue.FromBoolean(true), rule.Threshold);
        Assert.Equal(AlarmSeverity.Warning, rule.Severity);
    }
}
