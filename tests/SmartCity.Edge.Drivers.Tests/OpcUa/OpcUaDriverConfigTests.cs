using Microsoft.Extensions.Logging;
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
    [InlineData("endpoint: opc.tcp://x\nsecurity: { policy: Basic999 }\ntags: []", "security.policy", "not one of")]
    [InlineData("endpoint: opc.tcp://x\nsecurity: { policy: Basic256 }\ntags: []", "security.policy", "deprecated")]
    [InlineData("endpoint: opc.tcp://x\nsecurity: { policy: None, mode: Sign }\ntags: []", "security.mode", "needs mode None")]
    [InlineData("endpoint: opc.tcp://x\nsecurity: { policy: Basic256Sha256, mode: None }\ntags: []", "security.mode", "needs mode Sign")]
    [InlineData("endpoint: opc.tcp://x\nsecurity: { policy: auto, application_uri: \"not a uri\" }\ntags: []", "security.application_uri", "not an absolute URI")]
    [InlineData("endpoint: opc.tcp://x\nsecurity: { policy: auto, trust_first: true }\ntags: []", "security.trust_first", "unknown key")]
    [InlineData("endpoint: opc.tcp://x\nauth: { password: x }\ntags: []", "auth.username", "is required")]
    [InlineData("endpoint: opc.tcp://x\nauth: { username: tech, password: x }\ntags: []", "auth.password", "over security policy None are refused")]
    [InlineData("endpoint: opc.tcp://x\nsecurity: { policy: None }\nauth: { username: tech }\ntags: []", "auth.username", "allow_insecure_password: true")]
    [InlineData("endpoint: opc.tcp://x\nauth: { username: tech, password: x, allow_insecure_password: maybe }\ntags: []", "auth.allow_insecure_password", "not true or false")]
    [InlineData("endpoint: opc.tcp://x\nauth: { certificate_file: u.der }\ntags: []", "auth.key_file", "is required")]
    [InlineData("endpoint: opc.tcp://x\nauth: { certificate_file: u.der, key_file: u.pem, username: x }\ntags: []", "auth.username", "not both")]
    [InlineData("endpoint: opc.tcp://x\npublishing_interval: 1ms\ntags: []", "publishing_interval", "too short")]
    [InlineData("endpoint: opc.tcp://x\ntags:\n  - { id: a, node: \"i=1\", deadband: 120, deadband_type: percent }", "tags[0].deadband", "0..100")]
    [InlineData("endpoint: opc.tcp://x\nendpont: y\ntags: []", "endpont", "unknown key")]
    [InlineData("endpoint: opc.tcp://x\nevents: sometimes\ntags: []", "events", "not true or false")]
    [InlineData("endpoint: opc.tcp://x\nevents: { notifiers: [\"ns=1;q=1\"] }\ntags: []", "events.notifiers", "unknown identifier kind")]
    [InlineData("endpoint: opc.tcp://x\nevents: { notifiers: [] }\ntags: []", "events.notifiers", "at least one")]
    [InlineData("endpoint: opc.tcp://x\nevents: { notifiers: i=2253 }\ntags: []", "events.notifiers", "must be a list")]
    [InlineData("endpoint: opc.tcp://x\nevents: { severity_map: { warning: 700, high: 600 } }\ntags: []", "events.severity_map.high", "must rise")]
    [InlineData("endpoint: opc.tcp://x\nevents: { severity_map: { critical: 1001 } }\ntags: []", "events.severity_map.critical", "out of range")]
    [InlineData("endpoint: opc.tcp://x\nevents: { severity_map: { medium: 400 } }\ntags: []", "events.severity_map.medium", "unknown key")]
    [InlineData("endpoint: opc.tcp://x\nevents: { queue_size: 0 }\ntags: []", "events.queue_size", "out of range")]
    [InlineData("endpoint: opc.tcp://x\nevents: { notifier: [\"i=2253\"] }\ntags: []", "events.notifier", "unknown key")]
    public void ReadSettings_Mistake_ReportedAtKeyPath(string yaml, string path, string message)
    {
        var (_, settings, problems) = OpcUaDriverHarness.Read(yaml);

        Assert.Null(settings);
        Assert.Contains(problems.All, p => p.Path.EndsWith(path, StringComparison.Ordinal) && p.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void ReadSettings_PasswordOverNoneWithAllowInsecurePassword_AcceptedAndFlagged()
    {
        var (_, settings, problems) = OpcUaDriverHarness.Read("endpoint: opc.tcp://x\nauth: { username: tech, password: x, allow_insecure_password: true }\ntags: []");
        var (_, secured, _) = OpcUaDriverHarness.Read("endpoint: opc.tcp://x\nsecurity: { policy: auto }\nauth: { username: tech, password: x, allow_insecure_password: true }\ntags: []");

        Assert.False(problems.HasAny, string.Join("; ", problems.All));
        Assert.True(settings!.AllowInsecurePassword);

        // Meaningless on a secured channel: nothing is relaxed there.
        Assert.False(secured!.AllowInsecurePassword);
    }

    [Fact]
    public async Task Create_AllowInsecurePassword_WarnsOncePerStartOfTheDeviceNotPerReconnect()
    {
        const string Yaml = "id: plc\nendpoint: opc.tcp://127.0.0.1:1\nauth: { username: tech, password: x, allow_insecure_password: true }\ntags: []";
        var factory = new OpcUaDriverFactory();
        var logs = new RecordingLoggerFactory();
        var context = new DriverContext(logs, TimeProvider.System, Path.GetTempPath());
        var (device, settings, _) = OpcUaDriverHarness.Read(Yaml);

        // The supervisor creates a new driver after every failure: one warning for all of them.
        for (int attempt = 0; attempt < 3; attempt++)
        {
            await factory.Create(device, settings!, context).DisposeAsync();
        }

        Assert.Single(logs.Entries, e => e.EventId == 4045);

        // A reload that restarts the device (new settings) warns again.
        var (_, reloaded, _) = OpcUaDriverHarness.Read(Yaml);
        await factory.Create(device, reloaded!, context).DisposeAsync();
        Assert.Equal(2, logs.Entries.Count(e => e.EventId == 4045));
        (LogLevel level, _, string message) = logs.Entries.Last(e => e.EventId == 4045);
        Assert.Equal(LogLevel.Warning, level);
        Assert.Contains("allow_insecure_password is on", message, StringComparison.Ordinal);
        Assert.DoesNotContain(": x", message, StringComparison.Ordinal);
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
    public void ReadSettings_Events_ShorthandAndBlock()
    {
        var (_, off, _) = OpcUaDriverHarness.Read("endpoint: opc.tcp://x\ntags: []");
        var (_, shorthand, _) = OpcUaDriverHarness.Read("endpoint: opc.tcp://x\nevents: true\ntags: []");
        var (_, block, problems) = OpcUaDriverHarness.Read("""
            endpoint: opc.tcp://x
            events:
              notifiers: ["i=2253", "ns=1;s=Alarms"]
              severity_map: { warning: 300, high: 600, critical: 900 }
              queue_size: 50
            tags: []
            """);

        Assert.False(problems.HasAny, string.Join("; ", problems.All));
        Assert.Null(off!.Events);
        Assert.Equal([UaNodeId.FromNumeric(0, 2253)], shorthand!.Events!.Notifiers);
        Assert.Equal((201, 601, 801, 1000u), (shorthand.Events.SeverityMap.WarningFrom, shorthand.Events.SeverityMap.HighFrom, shorthand.Events.SeverityMap.CriticalFrom, shorthand.Events.QueueSize));
        Assert.Equal([UaNodeId.FromNumeric(0, 2253), UaNodeId.FromString(1, "Alarms")], block!.Events!.Notifiers);
        Assert.Equal(new OpcUaSeverityMap(300, 600, 900), block.Events.SeverityMap);
        Assert.Equal(50u, block.Events.QueueSize);
    }

    [Theory]
    [InlineData(0, DeviceAlarmSeverity.Info)]
    [InlineData(200, DeviceAlarmSeverity.Info)]
    [InlineData(201, DeviceAlarmSeverity.Warning)]
    [InlineData(600, DeviceAlarmSeverity.Warning)]
    [InlineData(601, DeviceAlarmSeverity.High)]
    [InlineData(800, DeviceAlarmSeverity.High)]
    [InlineData(801, DeviceAlarmSeverity.Critical)]
    [InlineData(1000, DeviceAlarmSeverity.Critical)]
    public void SeverityMap_Default_FollowsOpcUaBands(int opcUaSeverity, DeviceAlarmSeverity expected) =>
        Assert.Equal(expected, OpcUaSeverityMap.Default.Map(opcUaSeverity));

    [Fact]
    public void ReadSettings_SecurityBlock_AllKeysRead()
    {
        var (_, settings, problems) = OpcUaDriverHarness.Read("""
            endpoint: opc.tcp://10.20.0.5:4840
            security:
              policy: Basic128Rsa15
              mode: Sign
              allow_deprecated: true
              trust_on_first_use: true
              check_hostname: false
              certificate_validity_days: 730
              application_uri: urn:park:gw1
            tags: []
            """);

        Assert.False(problems.HasAny, string.Join("; ", problems.All));
        Assert.Equal(
            new UaSecurityConfiguration("Basic128Rsa15", UaMessageSecurityMode.Sign, true, true, false, TimeSpan.FromDays(730), "urn:park:gw1"),
            settings!.Security);

        var (_, auto, _) = OpcUaDriverHarness.Read("endpoint: opc.tcp://x\nsecurity: { policy: auto }\ntags: []");
        Assert.Equal(("auto", (UaMessageSecurityMode?)null, false, true), (auto!.Security.Policy, auto.Security.Mode, auto.Security.TrustOnFirstUse, auto.Security.CheckHostName));
    }

    [Fact]
    public void ReadSettings_IssueExample_AllKeysRead()
    {
        var (_, settings, problems) = OpcUaDriverHarness.Read("""
            id: access-control
            driver: opcua
            endpoint: opc.tcp://10.20.0.5:4840
            security: { policy: auto }
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
