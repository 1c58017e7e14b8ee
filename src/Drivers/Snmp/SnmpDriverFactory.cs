using System.Net;
using SmartCity.Edge.Drivers.Configuration;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// <c>driver: snmp</c>: an SNMP agent (UPS, PDU, switch, NVR) polled over UDP with our own v1/v2c/v3 stack, and the
/// source of the traps and informs the gateway's listener maps to this device. Reads and validates every key (see
/// sample.yaml and docs/snmp.md) before any socket opens.
/// </summary>
public sealed class SnmpDriverFactory : IDriverFactory
{
    /// <summary>net-snmp refuses shorter passphrases (snmp-notes §5), and so does RFC 3414 §11.2's advice.</summary>
    private const int MinPasswordLength = 8;

    private static readonly Dictionary<string, SnmpValueFormat> s_formats = new(StringComparer.Ordinal)
    {
        ["auto"] = SnmpValueFormat.Auto,
        ["text"] = SnmpValueFormat.Text,
        ["hex"] = SnmpValueFormat.Hex,
    };

    private static readonly Dictionary<string, DeviceAlarmSeverity> s_severities = new(StringComparer.Ordinal)
    {
        ["info"] = DeviceAlarmSeverity.Info,
        ["warning"] = DeviceAlarmSeverity.Warning,
        ["high"] = DeviceAlarmSeverity.High,
        ["critical"] = DeviceAlarmSeverity.Critical,
    };

    private static readonly Dictionary<string, string> s_profiles = new(StringComparer.Ordinal)
    {
        [UpsMibProfile.Name] = UpsMibProfile.Name,
    };

    private readonly SnmpTrapRouter _router;

    public SnmpDriverFactory()
        : this(new SnmpTrapRouter())
    {
    }

    internal SnmpDriverFactory(SnmpTrapRouter router) => _router = router;

    public IReadOnlyList<string> DriverNames { get; } = ["snmp"];

    internal SnmpTrapRouter Router => _router;

    public DriverSettings ReadSettings(DeviceDescriptor device, ConfigSection deviceSection, IReadOnlyList<ConfigSection> tagSections)
    {
        string host = deviceSection.GetRequiredString("host");
        if (host.Contains(':', StringComparison.Ordinal) && !IPAddress.TryParse(host, out _))
        {
            deviceSection.Error("host", $"'{host}' is not a host name or address; give the port as port: (default 161)");
        }

        int port = deviceSection.GetInt32("port", 161, min: 1, max: 65535);
        SnmpVersion version = deviceSection.GetChoice("version", SnmpVersion.V2c, SnmpSecurityNames.Versions);
        string community = "public";
        SnmpV3Credentials? user = null;
        string context = string.Empty;
        if (version == SnmpVersion.V3)
        {
            user = ReadUser(deviceSection);
            context = deviceSection.GetString("context", string.Empty)!;
            if (deviceSection.Has("community"))
            {
                deviceSection.Error("community", "SNMPv3 has no community; it authenticates with user, auth and priv");
            }
        }
        else
        {
            community = deviceSection.GetString("community", required: true) ?? string.Empty;
            foreach (string v3Key in new[] { "user", "auth", "priv", "context" })
            {
                if (deviceSection.Has(v3Key))
                {
                    deviceSection.Error(v3Key, $"{v3Key} is SNMPv3; set version: 3 to use it (this device is version {(version == SnmpVersion.V1 ? "1" : "2c")})");
                }
            }
        }

        TimeSpan timeout = deviceSection.GetDuration("timeout", TimeSpan.FromSeconds(2), min: TimeSpan.FromMilliseconds(50), max: TimeSpan.FromMinutes(1));
        int retries = deviceSection.GetInt32("retries", 1, min: 0, max: 10);
        int maxOids = deviceSection.GetInt32("max_oids_per_request", 32, min: 1, max: 1000);
        int maxRepetitions = deviceSection.GetInt32("max_repetitions", 25, min: 1, max: 1000);
        int maxRows = deviceSection.GetInt32("max_rows", 1000, min: 1, max: 100_000);
        string? trapCommunity = deviceSection.GetString("trap_community");
        string? profile = deviceSection.Has("profile") ? deviceSection.GetChoice<string?>("profile", null, s_profiles!) : null;

        var tags = new List<SnmpTagSettings>(tagSections.Count);
        for (int i = 0; i < tagSections.Count; i++)
        {
            tags.Add(ReadTag(device.Tags[i].Id, tagSections[i]));
        }

        var ownRules = deviceSection.GetSectionList("traps").Select(ReadTrapRule).Where(r => r is not null).Select(r => r!).ToList();
        IReadOnlyList<TagDescriptor> profileTags = [];
        List<SnmpTrapRule> rules = ownRules;
        if (profile == UpsMibProfile.Name)
        {
            var own = tags.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
            List<SnmpTagSettings> added = UpsMibProfile.Tags.Where(t => !own.Contains(t.Id)).ToList();
            profileTags = added.Select(t => new TagDescriptor(t.Id, t.Unit)).ToArray();
            tags.AddRange(added);
            var ownAlarms = ownRules.Select(r => r.Alarm).ToHashSet(StringComparer.Ordinal);
            rules = [.. ownRules, .. UpsMibProfile.TrapRules.Where(r => !ownAlarms.Contains(r.Alarm))];
        }

        var duplicateAlarms = rules.GroupBy(r => (r.Alarm, r.Trap)).Where(g => g.Count() > 1).Select(g => g.Key.Alarm).ToList();
        foreach (string alarm in duplicateAlarms)
        {
            deviceSection.Error("traps", $"two rules raise alarm '{alarm}' on the same trap");
        }

        return new SnmpDeviceSettings(host, port, version, community, user, context, timeout, retries, maxOids, maxRepetitions, maxRows, tags, rules)
        {
            Profile = profile,
            TrapCommunity = trapCommunity ?? community,
            ProfileTags = profileTags,
        };
    }

    public IDeviceDriver Create(DeviceDescriptor device, DriverSettings settings, DriverContext context) =>
        new SnmpDriver(device, (SnmpDeviceSettings)settings, context, _router);

    private static SnmpV3Credentials? ReadUser(ConfigSection device)
    {
        string name = device.GetRequiredString("user");
        if (name.Length > SnmpV3Message.MaxUserNameLength)
        {
            device.Error("user", $"an SNMPv3 user name has at most {SnmpV3Message.MaxUserNameLength} characters");
        }

        ConfigSection? auth = device.GetSection("auth");
        ConfigSection? priv = device.GetSection("priv");
        bool allowDeprecated = device.GetBoolean("allow_deprecated", false);
        SnmpAuthProtocol authProtocol = SnmpAuthProtocol.None;
        string? authPassword = null;
        if (auth is null)
        {
            device.Error("auth", "SNMPv3 without authentication sends the user name in clear and accepts forged replies; give auth: { protocol: sha256, password: ${file:...} }");
        }
        else
        {
            authProtocol = auth.GetChoice("protocol", SnmpAuthProtocol.Sha256, SnmpSecurityNames.AuthProtocols);
            authPassword = ReadPassword(auth);
            if (authProtocol == SnmpAuthProtocol.Md5 && !allowDeprecated)
            {
                auth.Error("protocol", "md5 is broken; use sha256 (or sha), or set allow_deprecated: true on the device for old equipment that offers nothing better");
            }

            auth.ReportUnknownKeys();
        }

        SnmpPrivProtocol privProtocol = SnmpPrivProtocol.None;
        string? privPassword = null;
        if (priv is not null)
        {
            privProtocol = priv.GetChoice("protocol", SnmpPrivProtocol.Aes128, SnmpSecurityNames.PrivProtocols);
            privPassword = ReadPassword(priv);
            if (privProtocol == SnmpPrivProtocol.Des && !allowDeprecated)
            {
                priv.Error("protocol", "des is broken (56-bit key); use aes, or set allow_deprecated: true on the device for old equipment that offers nothing better");
            }

            priv.ReportUnknownKeys();
        }

        return authProtocol == SnmpAuthProtocol.None || name.Length == 0 || authPassword is null || (privProtocol != SnmpPrivProtocol.None && privPassword is null)
            ? null
            : new SnmpV3Credentials(name, authProtocol, authPassword, privProtocol, privPassword);
    }

    private static string? ReadPassword(ConfigSection section)
    {
        string password = section.GetRequiredString("password");
        if (password.Length == 0)
        {
            return null;
        }

        if (password.Length < MinPasswordLength)
        {
            // The value is a secret: say how long it must be, never what it is.
            section.Error("password", $"is shorter than {MinPasswordLength} characters; SNMPv3 agents refuse such passwords");
            return null;
        }

        return password;
    }

    private static SnmpTagSettings ReadTag(string id, ConfigSection tag)
    {
        string text = tag.GetRequiredString("oid");
        SnmpOid oid = default;
        if (text.Length > 0 && !SnmpOid.TryParse(text, out oid, out string? error))
        {
            tag.Error("oid", error);
        }

        bool rate = tag.GetBoolean("rate", false);
        bool walk = tag.GetBoolean("walk", false);
        SnmpValueFormat format = tag.GetChoice("format", SnmpValueFormat.Auto, s_formats);
        double scale = tag.GetDouble("scale", 1);
        double offset = tag.GetDouble("offset", 0);
        if (scale == 0)
        {
            tag.Error("scale", "0 would make every reading 0; leave scale out for 1");
        }

        if (rate && walk)
        {
            tag.Error("rate", "a rate is computed per instance; read the counters you need as single tags (oid ending in the instance index)");
        }

        return new SnmpTagSettings(id, oid, rate, walk, format, scale, offset);
    }

    private static SnmpTrapRule? ReadTrapRule(ConfigSection rule)
    {
        SnmpOid? trap = ReadOid(rule, "trap", required: true);
        string alarm = rule.GetRequiredString("alarm");
        if (alarm.Length > 0 && !alarm.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            rule.Error("alarm", $"'{alarm}' is not a valid alarm name (letters, digits, '_' and '-'; the alarm id becomes {{device}}-{alarm})");
        }

        DeviceAlarmSeverity severity = rule.GetChoice("severity", DeviceAlarmSeverity.Warning, s_severities);
        string message = rule.GetString("message", alarm)!;
        SnmpOid? clear = ReadOid(rule, "clear", required: false);
        SnmpVarBindMatch? match = ReadMatch(rule, "match");
        SnmpVarBindMatch? clearMatch = ReadMatch(rule, "clear_match") ?? (clear is not null ? match : null);
        rule.ReportUnknownKeys();
        return trap is null || alarm.Length == 0 ? null : new SnmpTrapRule(trap.Value, alarm, severity, message, clear, match, clearMatch);
    }

    private static SnmpVarBindMatch? ReadMatch(ConfigSection rule, string key)
    {
        if (rule.GetSection(key) is not { } section)
        {
            return null;
        }

        SnmpOid? oid = ReadOid(section, "oid", required: true);
        string value = section.GetRequiredString("value");
        section.ReportUnknownKeys();
        return oid is null ? null : new SnmpVarBindMatch(oid.Value, value.TrimStart('.'));
    }

    private static SnmpOid? ReadOid(ConfigSection section, string key, bool required)
    {
        string? text = section.GetString(key, required: required);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (!SnmpOid.TryParse(text, out SnmpOid oid, out string? error))
        {
            section.Error(key, error);
            return null;
        }

        return oid;
    }
}
