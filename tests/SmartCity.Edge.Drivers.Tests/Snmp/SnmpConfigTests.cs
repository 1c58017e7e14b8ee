using SmartCity.Edge.Drivers.Configuration;
using SmartCity.Edge.Drivers.Snmp;

namespace SmartCity.Edge.Drivers.Tests.Snmp;

/// <summary>Reading the <c>snmp</c> keys: every mistake reported at its key path with a reason, secrets never echoed.</summary>
public sealed class SnmpConfigTests
{
    private const string V3 = "host: 10.0.0.1\nversion: 3\nuser: gw\n";

    [Theory]
    [InlineData("host: 10.0.0.1\ntags: []", "community", "is required")]
    [InlineData("community: c\ntags: []", "host", "is required")]
    [InlineData("host: 10.0.0.1:161\ncommunity: c\ntags: []", "host", "give the port as port:")]
    [InlineData("host: h\nversion: 2\ncommunity: c\ntags: []", "version", "1 | 2c | 3")]
    [InlineData("host: h\ncommunity: c\nuser: gw\ntags: []", "user", "set version: 3")]
    [InlineData(V3 + "tags: []", "auth", "without authentication")]
    [InlineData(V3 + "auth: { protocol: sha256, password: short }\ntags: []", "auth.password", "shorter than 8")]
    [InlineData(V3 + "auth: { protocol: md5, password: longenough }\ntags: []", "auth.protocol", "md5 is broken")]
    [InlineData(V3 + "auth: { protocol: sha, password: longenough }\npriv: { protocol: des, password: longenough }\ntags: []", "priv.protocol", "des is broken")]
    [InlineData(V3 + "auth: { protocol: sha3, password: longenough }\ntags: []", "auth.protocol", "not one of")]
    [InlineData(V3 + "community: c\nauth: { password: longenough }\ntags: []", "community", "SNMPv3 has no community")]
    [InlineData("host: h\ncommunity: c\ntags:\n  - { id: a, oid: 1.3.6.x }", "tags[0].oid", "not a numeric OID")]
    [InlineData("host: h\ncommunity: c\ntags:\n  - { id: a }", "tags[0].oid", "is required")]
    [InlineData("host: h\ncommunity: c\ntags:\n  - { id: a, oid: 1.3.6.1.2.1.2.2.1.10, rate: true, walk: true }", "tags[0].rate", "per instance")]
    [InlineData("host: h\ncommunity: c\ntags:\n  - { id: a, oid: 1.3.6.1, format: base64 }", "tags[0].format", "auto | text | hex")]
    [InlineData("host: h\ncommunity: c\nprofile: apc\ntags: []", "profile", "ups-mib")]
    [InlineData("host: h\ncommunity: c\nmax_oids_per_request: 0\ntags: []", "max_oids_per_request", "out of range")]
    [InlineData("host: h\ncommunity: c\ntraps:\n  - { alarm: x }\ntags: []", "traps[0].trap", "is required")]
    [InlineData("host: h\ncommunity: c\ntraps:\n  - { trap: 1.3.6.1.4.1.1, alarm: \"on battery\" }\ntags: []", "traps[0].alarm", "not a valid alarm name")]
    [InlineData("host: h\ncommunity: c\ntraps:\n  - { trap: 1.3.6.1.4.1.1, alarm: a, severity: fatal }\ntags: []", "traps[0].severity", "not one of")]
    [InlineData("host: h\ncommunity: c\ntraps:\n  - { trap: 1.3.6.1.4.1.1, alarm: a, match: { oid: 1.3 } }\ntags: []", "traps[0].match.value", "is required")]
    public void ReadSettings_Mistake_ReportedAtKeyPath(string yaml, string path, string message)
    {
        var (_, settings, problems) = SnmpDriverHarness.Read(yaml);
        Assert.Null(settings);
        Assert.Contains(problems.All, p => p.Path.EndsWith(path, StringComparison.Ordinal) && p.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void ShortPassword_NeverEchoed()
    {
        var (_, _, problems) = SnmpDriverHarness.Read(V3 + "auth: { password: s3cr3t }\ntags: []");
        Assert.DoesNotContain(problems.All, p => p.Message.Contains("s3cr3t", StringComparison.Ordinal));
    }

    [Fact]
    public void UpsProfile_NoTags_AddsProfileTagsAndRules_OwnTagReplacesOne()
    {
        var (_, settings, problems) = SnmpDriverHarness.Read("host: ups\ncommunity: c\nprofile: ups-mib\ntags:\n  - { id: battery_voltage, oid: 1.3.6.1.4.1.9.9.0 }");
        Assert.False(problems.HasAny, string.Join("; ", problems.All));
        Assert.Contains(settings!.ImpliedTags, t => t.Id == "minutes_remaining" && t.Unit == "min");
        Assert.DoesNotContain(settings.ImpliedTags, t => t.Id == "battery_voltage");
        Assert.Equal("1.3.6.1.4.1.9.9.0", settings.Tags.Single(t => t.Id == "battery_voltage").Oid.ToString());
        Assert.Equal(["on_battery", "low_battery", "test_completed"], settings.TrapRules.Select(r => r.Alarm));
        Assert.True(settings.ReportsDeviceAlarms);
    }

    [Fact]
    public void V3Settings_ToString_HidesPasswords()
    {
        var (_, settings, _) = SnmpDriverHarness.Read(V3 + "auth: { protocol: sha512, password: authpass123 }\npriv: { protocol: aes, password: privpass123 }\ntags: []");
        Assert.Equal(SnmpAuthProtocol.Sha512, settings!.Credentials!.Auth);
        Assert.DoesNotContain("pass123", settings.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("pass123", settings.Credentials.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void SampleYaml_EveryDevice_ReadsWithoutProblems()
    {
        string path = Path.Combine(RepositoryPaths.Root, "src", "Drivers", "Snmp", "sample.yaml");
        string dir = Directory.CreateTempSubdirectory("snmp-sample-").FullName;
        foreach (string secret in new[] { "ups-auth", "ups-priv", "switch-community", "trap-community" })
        {
            File.WriteAllText(Path.Combine(dir, secret), "secret-" + secret);
        }

        string text = File.ReadAllText(path).Replace("/etc/smartcity-edge/", dir + "/", StringComparison.Ordinal);
        var context = new ConfigContext(path, _ => null, dir);
        ConfigSection root = ConfigDocument.Parse(text, context)!;
        root.Accept("snmp_traps");
        foreach (ConfigSection device in root.GetSectionList("devices"))
        {
            device.Accept("id", "driver", "poll_interval");
            IReadOnlyList<ConfigSection> tags = device.GetSectionList("tags");
            foreach (ConfigSection tag in tags)
            {
                tag.Accept("unit");
            }

            var descriptor = new DeviceDescriptor(device.GetRequiredString("id"), "snmp", TimeSpan.FromSeconds(1), tags.Select(t => new TagDescriptor(t.GetRequiredString("id"), null)).ToArray());
            new SnmpDriverFactory().ReadSettings(descriptor, device, tags);
            device.ReportUnknownKeys();
            foreach (ConfigSection tag in tags)
            {
                tag.ReportUnknownKeys();
            }
        }

        Assert.False(context.Problems.HasAny, string.Join("; ", context.Problems.All));
    }
}
