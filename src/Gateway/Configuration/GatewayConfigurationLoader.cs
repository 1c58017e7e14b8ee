using System.Text.RegularExpressions;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Drivers.Configuration;
using SmartCity.Edge.Gateway.Buffer;

namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>
/// Reads the technician's YAML file into a <see cref="GatewayConfiguration"/>, collecting every problem
/// (syntax, unknown keys, wrong types, bad durations, duplicate ids, missing <c>${VAR}</c>) with file, line,
/// column and key path. Opens no socket and touches no device: validation comes before any I/O.
/// </summary>
public sealed partial class GatewayConfigurationLoader
{
    private static readonly Dictionary<string, AlarmSeverity> s_severities = new(StringComparer.Ordinal)
    {
        ["info"] = AlarmSeverity.Info,
        ["warning"] = AlarmSeverity.Warning,
        ["high"] = AlarmSeverity.High,
        ["critical"] = AlarmSeverity.Critical,
    };

    private readonly IReadOnlyList<IDriverFactory> _factories;
    private readonly Func<string, string?> _environment;

    public GatewayConfigurationLoader(IEnumerable<IDriverFactory> factories, Func<string, string?>? environment = null)
    {
        _factories = factories.ToArray();
        _environment = environment ?? Environment.GetEnvironmentVariable;
    }

    /// <summary>
    /// Largest configuration file read. A park of thousands of tags is a few hundred KiB; the bound keeps a wrong
    /// path (a log, <c>/dev/zero</c>) from filling memory.
    /// </summary>
    public const int MaxFileBytes = 8 << 20;

    /// <summary>Loads a file. <paramref name="displayName"/> is how problems name it (defaults to the path as given).</summary>
    public ConfigurationLoadResult LoadFile(string path, string? displayName = null)
    {
        string name = displayName ?? path;
        string fullPath = Path.GetFullPath(path);
        var context = new ConfigContext(name, _environment);
        if (!RegularFile.TryRead(fullPath, "configuration file", MaxFileBytes, out byte[]? bytes, out string? problem))
        {
            context.Problems.Add(new ConfigLocation(name, 1, 1), string.Empty, problem);
            return new ConfigurationLoadResult(null, context.Problems);
        }

        // Strict: .NET's readers would put U+FFFD in place of a bad byte and load an id or a password that is not
        // what the file says.
        if (!StrictUtf8.TryDecode(bytes, out string? text, out Utf8Error invalid))
        {
            context.Problems.Add(new ConfigLocation(name, invalid.Line, invalid.Column), string.Empty, "the file " + invalid.Describe());
            return new ConfigurationLoadResult(null, context.Problems);
        }

        string baseDirectory = Path.GetDirectoryName(fullPath) ?? Directory.GetCurrentDirectory();
        return Load(text, name, baseDirectory);
    }

    /// <summary>Loads YAML text. Relative <c>data_dir</c> paths resolve against <paramref name="baseDirectory"/>.</summary>
    public ConfigurationLoadResult Load(string yaml, string fileName, string baseDirectory)
    {
        var context = new ConfigContext(fileName, _environment, baseDirectory);
        ConfigSection? root = ConfigDocument.Parse(yaml, context);
        if (root is null)
        {
            return new ConfigurationLoadResult(null, context.Problems);
        }

        GatewayIdentity gateway = ReadGateway(root, baseDirectory);
        IReadOnlyList<DeviceConfiguration> devices = ReadDevices(root);
        IReadOnlyList<AlarmRule> alarms = ReadAlarms(root, devices);
        AlarmOptions alarmOptions = ReadAlarmOptions(root, devices);
        IReadOnlyList<WebhookConfiguration> webhooks = ReadWebhooks(root);
        BufferOptions buffer = ReadBuffer(root, gateway);
        UpstreamConfiguration upstream = ReadUpstream(root, gateway);
        HttpConfiguration http = ReadHttp(root);
        CommandsConfiguration commands = ReadCommands(root);
        SmartCity.Edge.Drivers.Snmp.SnmpTrapListenerSettings? snmpTraps = ReadSnmpTraps(root);
        root.ReportUnknownKeys();

        GatewayConfiguration? configuration = context.Problems.HasAny
            ? null
            : new GatewayConfiguration(fileName, gateway, devices, alarms, buffer, upstream) { AlarmOptions = alarmOptions, Webhooks = webhooks, Http = http, SnmpTraps = snmpTraps, Commands = commands };
        return new ConfigurationLoadResult(configuration, context.Problems);
    }

    private static GatewayIdentity ReadGateway(ConfigSection root, string baseDirectory)
    {
        ConfigSection? section = root.GetSection("gateway", required: true);
        if (section is null)
        {
            return new GatewayIdentity("invalid", string.Empty, baseDirectory);
        }

        string id = section.GetRequiredString("id");
        if (id.Length > 0 && !IdPattern().IsMatch(id))
        {
            section.Error("id", $"'{Printable(id)}' is not a valid gateway id (use lower-case letters, digits, '-' and '_'; it appears in MQTT topics)");
        }

        // The site is the second level of the default topic prefix (smartcity/{site}/{id}): a '/', '+', '#' or NUL
        // there would change or break every topic, so it follows the id rules.
        string site = section.GetString("site", string.Empty)!;
        if (site.Length > 0 && !IdPattern().IsMatch(site))
        {
            section.Error("site", $"'{Printable(site)}' is not a valid site (use lower-case letters, digits, '-' and '_'; it appears in MQTT topics)");
        }

        string dataDir = section.GetString("data_dir", "./data")!;
        section.ReportUnknownKeys();
        return new GatewayIdentity(id, site, Path.GetFullPath(dataDir, baseDirectory));
    }

    private IReadOnlyList<DeviceConfiguration> ReadDevices(ConfigSection root)
    {
        var devices = new List<DeviceConfiguration>();
        var seen = new Dictionary<string, ConfigLocation>(StringComparer.Ordinal);
        IReadOnlyList<ConfigSection> sections = root.GetSectionList("devices");
        foreach (ConfigSection section in sections)
        {
            DeviceConfiguration? device = ReadDevice(section);
            if (device is null)
            {
                continue;
            }

            if (seen.TryGetValue(device.Id, out ConfigLocation first))
            {
                section.Error("id", $"duplicate device id '{device.Id}' (first defined at line {first.Line})");
            }
            else
            {
                seen.Add(device.Id, section.LocationOf("id"));
                devices.Add(device);
            }
        }

        return devices;
    }

    private DeviceConfiguration? ReadDevice(ConfigSection section)
    {
        string id = section.GetRequiredString("id");
        if (id.Length > 0 && !IdPattern().IsMatch(id))
        {
            section.Error("id", $"'{Printable(id)}' is not a valid device id (use lower-case letters, digits, '-' and '_'; it appears in MQTT topics)");
        }

        string driverName = section.GetRequiredString("driver");
        TimeSpan pollInterval = section.GetDuration("poll_interval", TimeSpan.FromSeconds(1), min: TimeSpan.FromMilliseconds(10), max: TimeSpan.FromHours(24));
        IDriverFactory? factory = null;
        if (driverName.Length > 0)
        {
            factory = _factories.FirstOrDefault(f => f.DriverNames.Contains(driverName, StringComparer.Ordinal));
            if (factory is null)
            {
                string[] known = _factories.SelectMany(f => f.DriverNames).Order(StringComparer.Ordinal).ToArray();
                section.Error("driver", $"'{driverName}' is not a driver{DidYouMean.Hint(driverName, known)} (available: {string.Join(", ", known)})");
            }
        }

        // Not required here: a driver's preset may supply every tag (checked after ReadSettings).
        IReadOnlyList<ConfigSection> tagSections = section.GetSectionList("tags");
        var tags = new List<TagConfiguration>(tagSections.Count);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (ConfigSection tag in tagSections)
        {
            string tagId = tag.GetRequiredString("id");
            if (tagId.Length > 0 && !TagIdPattern().IsMatch(tagId))
            {
                tag.Error("id", $"'{tagId}' is not a valid tag id (use letters, digits, '-', '_' and '.')");
            }

            if (seen.TryGetValue(tagId, out int firstLine))
            {
                tag.Error("id", $"duplicate tag id '{tagId}' in device '{id}' (first defined at line {firstLine})");
            }
            else
            {
                seen.Add(tagId, tag.LocationOf("id").Line);
            }

            string? unit = tag.GetString("unit");
            double deadband = tag.GetDouble("deadband", 0, min: 0);
            tags.Add(new TagConfiguration(tagId, unit, deadband) { Write = ReadTagWriteRules(tag) });
        }

        var descriptor = new DeviceDescriptor(id, driverName, pollInterval, tags.Select(t => new TagDescriptor(t.Id, t.Unit)).ToArray());
        DriverSettings? settings = factory?.ReadSettings(descriptor, section, tagSections);
        if (settings is { ImpliedTags.Count: > 0 })
        {
            tags.AddRange(settings.ImpliedTags.Where(t => !seen.ContainsKey(t.Id)).Select(t => new TagConfiguration(t.Id, t.Unit, 0)));
            descriptor = descriptor with { Tags = tags.Select(t => new TagDescriptor(t.Id, t.Unit)).ToArray() };
        }
        else if (!section.Has("tags"))
        {
            section.Error("tags", "is required");
        }

        // Without a driver nobody knows which keys are valid: report the driver, not a cascade of "unknown key".
        if (factory is not null)
        {
            foreach (ConfigSection tag in tagSections)
            {
                tag.ReportUnknownKeys();
            }

            section.ReportUnknownKeys();
        }
        return factory is null || settings is null || id.Length == 0 ? null : new DeviceConfiguration(descriptor, factory, settings, tags);
    }

    /// <summary>
    /// The <c>buffer:</c> section with <c>gateway.data_dir</c>, as the buffer's own options: the limits are
    /// <see cref="BufferOptions.Validate"/>'s, each problem reported at the line of its key.
    /// </summary>
    private static BufferOptions ReadBuffer(ConfigSection root, GatewayIdentity gateway)
    {
        ConfigSection? section = root.GetSection("buffer");
        var options = new BufferOptions
        {
            DataDirectory = gateway.DataDirectory,
            MaxDiskBytes = section?.GetSize("max_disk", BufferOptions.DefaultMaxDiskBytes) ?? BufferOptions.DefaultMaxDiskBytes,
            DiskReserveBytes = section?.GetSize("disk_reserve", BufferOptions.DefaultDiskReserveBytes) ?? BufferOptions.DefaultDiskReserveBytes,
        };
        section?.ReportUnknownKeys();
        foreach (BufferOptionsProblem problem in options.Validate())
        {
            const string Prefix = "buffer.";
            if (section is not null && problem.Key.StartsWith(Prefix, StringComparison.Ordinal))
            {
                section.Error(problem.Key[Prefix.Length..], problem.Message);
            }
            else
            {
                root.Error(problem.Key, problem.Message);
            }
        }

        return options;
    }

    private static UpstreamConfiguration ReadUpstream(ConfigSection root, GatewayIdentity gateway)
    {
        string defaultPrefix = gateway.Site.Length > 0 ? $"smartcity/{gateway.Site}/{gateway.Id}" : $"smartcity/{gateway.Id}";
        ConfigSection? section = root.GetSection("upstream");
        if (section is null)
        {
            return new UpstreamConfiguration(null, Console: true, defaultPrefix);
        }

        bool console = section.GetBoolean("console", false);
        ConfigSection? mqtt = section.GetSection("mqtt");
        ConfigSection? sparkplugSection = section.GetSection("sparkplug");
        SparkplugUpstreamConfiguration? sparkplug = sparkplugSection is null ? null : ReadSparkplug(sparkplugSection, gateway);
        string prefix = defaultPrefix;
        MqttUpstreamConfiguration? mqttConfiguration = null;
        if (mqtt is not null)
        {
            prefix = mqtt.GetString("topic_prefix", defaultPrefix)!.TrimEnd('/');
            if (prefix.Contains('#', StringComparison.Ordinal) || prefix.Contains('+', StringComparison.Ordinal))
            {
                mqtt.Error("topic_prefix", "MQTT wildcards '#' and '+' cannot appear in a topic you publish to");
            }

            mqttConfiguration = ReadMqtt(mqtt, gateway);
            mqtt.ReportUnknownKeys();
        }
        else if (!console && sparkplugSection is null)
        {
            section.Error("mqtt", "no upstream: configure upstream.mqtt, upstream.sparkplug or set upstream.console: true");
        }

        if (sparkplug is { Commands: true } && mqtt is null)
        {
            // Every DCMD write leaves an audit record; Sparkplug has no place for it, {prefix}/audit is on the JSON upstream.
            sparkplugSection!.Error("commands", "DCMD writes need upstream.mqtt as well: their audit trail is published on {prefix}/audit, which Sparkplug has no place for");
        }

        section.ReportUnknownKeys();
        return new UpstreamConfiguration(mqttConfiguration, console, prefix) { Sparkplug = sparkplug };
    }

    private static MqttUpstreamConfiguration? ReadMqtt(ConfigSection mqtt, GatewayIdentity gateway)
    {
        string server = mqtt.GetRequiredString("server");
        string clientId = mqtt.GetString("client_id", gateway.Id)!;
        string? username = mqtt.GetString("username");
        string? password = mqtt.GetString("password");
        string? caFile = mqtt.GetString("ca_file");
        string? clientCert = mqtt.GetString("client_cert");
        string? clientKey = mqtt.GetString("client_key");
        bool allowPlaintext = mqtt.GetBoolean("allow_plaintext", false);
        int qos = mqtt.GetInt32("qos", 1, min: 0, max: 1);
        int maxBatch = mqtt.GetInt32("max_batch", 500, min: 1, max: 10_000);
        bool persistentSession = mqtt.GetBoolean("persistent_session", true);
        if (persistentSession && string.IsNullOrWhiteSpace(clientId))
        {
            // MQTT 3.1.1 §3.1.3.1: a zero-length client id is only allowed with a clean session.
            mqtt.Error("client_id", "a persistent session needs a client id: the broker keeps the gateway's queued commands under it (leave client_id out to use the gateway id)");
        }

        if (server.Length == 0)
        {
            return null;
        }

        if (!Uri.TryCreate(server, UriKind.Absolute, out Uri? uri) || (uri.Scheme != "mqtt" && uri.Scheme != "mqtts") || uri.Host.Length == 0)
        {
            mqtt.Error("server", $"'{server}' is not a broker address (write mqtt://host:1883 or mqtts://host:8883)");
            return null;
        }

        if (uri.UserInfo.Length > 0)
        {
            // Never echoed: the address holds a password. It would also be ignored, and the gateway connect anonymously.
            mqtt.Error("server", "the broker address carries a user name or password, which the gateway does not use: write them as username: and password: (password: ${file:/etc/smartcity-edge/mqtt-password})");
            return null;
        }

        bool tls = uri.Scheme == "mqtts";
        int port = uri.IsDefaultPort || uri.Port <= 0 ? (tls ? 8883 : 1883) : uri.Port;
        TlsFiles? tlsFiles = null;
        if (caFile is not null || clientCert is not null || clientKey is not null)
        {
            if (!tls)
            {
                mqtt.Error(caFile is not null ? "ca_file" : clientCert is not null ? "client_cert" : "client_key", "is only used with an mqtts:// server");
                return null;
            }

            tlsFiles = ReadTlsFiles(mqtt, caFile, clientCert, clientKey);
            if (tlsFiles is null)
            {
                return null;
            }
        }

        var configuration = new MqttUpstreamConfiguration(uri.Host, port, tls, tlsFiles, clientId, username, password, qos, maxBatch, persistentSession, allowPlaintext);
        if (configuration.SendsCredentialsInClear && !allowPlaintext)
        {
            mqtt.Error("server", $"mqtt:// to {uri.Host} would send the user name, password, every reading and every command unencrypted over the network: use mqtts:// (port 8883, ca_file: for a private CA), or set allow_plaintext: true to accept that");
            return null;
        }

        return configuration;
    }

    /// <summary>A value for a message with control characters (a NUL from <c>"\0"</c>) written as escapes.</summary>
    private static string Printable(string value) =>
        value.Any(char.IsControl) ? string.Concat(value.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString())) : value;

    // Gateway and device ids appear in MQTT topics: keep them to one safe, lower-case alphabet.
    [GeneratedRegex("^[a-z0-9_-]+$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex TagIdPattern();
}
