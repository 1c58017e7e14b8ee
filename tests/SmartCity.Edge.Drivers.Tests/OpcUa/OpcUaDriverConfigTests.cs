using SmartCity.Edge.Drivers.Configuration;
using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>Reading the <c>opcua</c> keys: every mistake reported with its key path, nothing thrown.</summary>
public sealed class OpcUaDriverConfigTests
{
    [Theory]
    [InlineData("endpoint: http://x\ntags: []", "endpoint", "not an OPC UA endpoint")]
    [InlineData("endpoint: opc.tcp://x\ntags:\n  - { id: a, node: \"ns=1;q=1\" }", "tags[0].node", "unknown identifier kind")]
    [InlineData("endpoint: opc.tcp://x\ntags:\n  - { id: a }", "tags[0].node", "is required")]
    [InlineData("endpoint: opc.tcp://x\ntags:\n  - { id: a, node: \"i=1\", path: /Objects/A }", "tags[0].path", "not both")]
    [InlineData("endpoint: opc.tcp://x\ntags:\n  - { id: a, path: Park/A }", "tags[0].path", "not a browse path")]
    [InlineData("endpoint: opc.tcp://x\ntags:\n  - { id: a, node: \"i=1\", mode: push }", "tags[0].mode", "subscribe | poll")]
    [InlineData("endpoint: opc.tcp://x\nsecurity: { policy: Basic256Sha256 }\ntags: []", "security.policy", "not one of")]
    [InlineData("endpoint: opc.tcp://x\nauth: { password: x }\ntags: []", "auth.username", "is required")]
    [InlineData("endpoint: opc.tcp://x\npublishing_interval: 1ms\ntags: []", "publishing_interval", "too short")]
    [InlineData("endpoint: opc.tcp://x\ntags:\n  - { id: a, node: \"i=1\", deadband: 120, deadband_type: percent }", "tags[0].deadband", "0..100")]
    [InlineData("endpoint: opc.tcp://x\nendpont: y\ntags: []", "endpont", "unknown key")]
    public void ReadSettings_Mistake_ReportedAtKeyPath(string yaml, string path, string message)
    {
        var (_, settings, problems) = OpcUaDriverHarness.Read(yaml);

        Assert.Null(settings);
        Assert.Contains(problems.All, p => p.Path.EndsWith(path, StringComparison.Ordinal) && p.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void SampleYaml_EveryKey_ReadsWithoutProblems()
    {
        string path = Path.Combine(Path.GetDirectoryName(NodeOpcUaServer.PeerDirectory)!, "..", "..", "src", "Drivers", "OpcUa", "sample.yaml");
        var context = new ConfigContext(path, name => name switch { "OPCUA_USER" => "tech", "OPCUA_PASSWORD" => "pw", _ => null });
        ConfigSection device = ConfigDocument.Parse(File.ReadAllText(path), context)!.GetSectionList("devices")[0];
        device.Accept("id", "driver", "poll_interval");
        IReadOnlyList<ConfigSection> tags = device.GetSectionList("tags");
        var descriptor = new DeviceDescriptor("access-control", "opcua", TimeSpan.FromSeconds(1), tags.Select(t => new TagDescriptor(t.GetRequiredString("id"), null)).ToArray());

        var settings = (OpcUaSettings)new OpcUaDriverFactory().ReadSettings(descriptor, device, tags);
        device.ReportUnknownKeys();
        foreach (ConfigSection tag in tags)
        {
            tag.ReportUnknownKeys();
        }

        Assert.False(context.Problems.HasAny, string.Join("; ", context.Problems.All));
        Assert.Equal(3, settings.Tags.Count);
        Assert.Equal(OpcUaTagMode.Poll, settings.Tags[2].Mode);
    }

    [Fact]
    public void ReadSettings_IssueExample_AllKeysRead()
    {
        var (_, settings, problems) = OpcUaDriverHarness.Read("""
            id: access-control
            driver: opcua
            endpoint: opc.tcp://10.20.0.5:4840
            security: { policy: None, mode: None }
            auth: { username: tech, password: "${OPCUA_PASSWORD}" }
            publishing_interval: 500ms
            tags:
              - id: door1_open
                node: "ns=1;s=Door1.Open"
                mode: subscribe
                sampling_interval: 100ms
                deadband: 0.5
              - id: door2_open
                path: /Objects/Park/Door2/Open
                mode: poll
            """);

        Assert.False(problems.HasAny, string.Join("; ", problems.All));
        Assert.Equal(("10.20.0.5", 4840), (settings!.Endpoint.Host, settings.Endpoint.Port));
        Assert.Equal(("tech", "s3cret"), (settings.UserName, settings.Password));
        Assert.Equal(TimeSpan.FromMilliseconds(500), settings.PublishingInterval);
        Assert.Equal((UaDeadbandType.Absolute, 0.5), (settings.Tags[0].DeadbandType, settings.Tags[0].Deadband));
        Assert.Equal(TimeSpan.FromMilliseconds(100), settings.Tags[0].SamplingInterval);
        Assert.Equal("/Objects/1:Park/1:Door2/1:Open", settings.Tags[1].Source);
        Assert.DoesNotContain("s3cret", settings.ToString());
    }
}
