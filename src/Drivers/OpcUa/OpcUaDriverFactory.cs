using SmartCity.Edge.Drivers.Configuration;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// <c>driver: opcua</c>: an OPC UA server over opc.tcp (our own client stack: policies None, Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss).
/// Device keys: <c>endpoint</c>, <c>security {policy, mode, allow_deprecated, trust_on_first_use, check_hostname, certificate_validity_days, application_uri}</c>, <c>auth {username, password, allow_insecure_password | certificate_file, key_file}</c>,
/// <c>publishing_interval</c>, <c>keep_alive</c>, <c>session_timeout</c>, <c>request_timeout</c>, <c>events</c> (true | {notifiers, severity_map {warning, high, critical}, queue_size}).
/// Tag keys: <c>node</c> | <c>path</c>, <c>mode</c> (subscribe | poll), <c>sampling_interval</c>, <c>queue_size</c>,
/// <c>deadband</c>, <c>deadband_type</c> (absolute | percent). See sample.yaml.
/// </summary>
public sealed class OpcUaDriverFactory : IDriverFactory
{
    private static readonly Dictionary<string, OpcUaTagMode> s_tagModes = new(StringComparer.Ordinal)
    {
        ["subscribe"] = OpcUaTagMode.Subscribe,
        ["poll"] = OpcUaTagMode.Poll,
    };

    private static readonly Dictionary<string, UaDeadbandType> s_deadbandTypes = new(StringComparer.Ordinal)
    {
        ["absolute"] = UaDeadbandType.Absolute,
        ["percent"] = UaDeadbandType.Percent,
    };

    private static readonly object s_warned = new();

    /// <summary>Settings whose allow_insecure_password warning was logged (weak: forgotten with the settings).</summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<OpcUaSettings, object> _insecurePasswordWarned = new();

    public IReadOnlyList<string> DriverNames { get; } = ["opcua"];

    public DriverSettings ReadSettings(DeviceDescriptor device, ConfigSection deviceSection, IReadOnlyList<ConfigSection> tagSections)
    {
        string endpointText = deviceSection.GetRequiredString("endpoint");
        if (!UaEndpointUrl.TryParse(endpointText, out UaEndpointUrl? endpoint, out string? endpointError))
        {
            if (endpointText.Length > 0)
            {
                deviceSection.Error("endpoint", endpointError);
            }

            endpoint = new UaEndpointUrl("invalid", UaEndpointUrl.DefaultPort, endpointText);
        }

        UaSecurityConfiguration security = UaSecurityConfiguration.None;
        if (deviceSection.GetSection("security") is { } securitySection)
        {
            security = ReadSecurity(securitySection);
        }

        string? userName = null;
        string? password = null;
        bool allowInsecurePassword = false;
        OpcUaUserCertificateFiles? userCertificate = null;
        if (deviceSection.GetSection("auth") is { } auth)
        {
            allowInsecurePassword = auth.GetBoolean("allow_insecure_password", false);
            if (auth.Has("certificate_file") || auth.Has("key_file"))
            {
                // X.509 user identity: both files, no user name.
                userCertificate = new OpcUaUserCertificateFiles(auth.GetRequiredString("certificate_file"), auth.GetRequiredString("key_file"));
                if (auth.Has("username"))
                {
                    auth.Error("username", "give either username/password or certificate_file/key_file, not both");
                }
            }
            else
            {
                userName = auth.GetRequiredString("username");
                password = auth.GetString("password") ?? string.Empty;
                if (security.IsNone && !allowInsecurePassword)
                {
                    // The whole exchange (GetEndpoints, the certificate the password is encrypted with, ActivateSession)
                    // is unauthenticated on a None channel: a man in the middle decides what the password is exposed to.
                    auth.Error(auth.Has("password") ? "password" : "username",
                        "a user name and password over security policy None are refused: the channel neither signs nor encrypts. " +
                        "Use security: { policy: auto } (the server must then trust the gateway's certificate), or, for a server that offers nothing else, " +
                        "set auth.allow_insecure_password: true (the password is then only sent encrypted with the server's certificate, once that is trusted in {data_dir}/pki)");
                }
            }

            auth.ReportUnknownKeys();
        }

        TimeSpan publishing = deviceSection.GetDuration("publishing_interval", TimeSpan.FromMilliseconds(500), min: TimeSpan.FromMilliseconds(10), max: TimeSpan.FromMinutes(10));
        TimeSpan keepAlive = deviceSection.GetDuration("keep_alive", TimeSpan.FromSeconds(5), min: TimeSpan.FromMilliseconds(100), max: TimeSpan.FromMinutes(10));
        TimeSpan sessionTimeout = deviceSection.GetDuration("session_timeout", TimeSpan.FromMinutes(1), min: TimeSpan.FromSeconds(1), max: TimeSpan.FromHours(1));
        TimeSpan requestTimeout = deviceSection.GetDuration("request_timeout", TimeSpan.FromSeconds(10), min: TimeSpan.FromMilliseconds(100), max: TimeSpan.FromMinutes(5));

        var tags = new List<OpcUaTagSettings>(tagSections.Count);
        for (int i = 0; i < tagSections.Count; i++)
        {
            tags.Add(ReadTag(device.Tags[i].Id, tagSections[i]));
        }

        OpcUaEventSettings? events = ReadEvents(deviceSection);
        return new OpcUaSettings(endpoint, security, userName, password, userCertificate, publishing, keepAlive, sessionTimeout, requestTimeout, tags)
        {
            Events = events,
            AllowInsecurePassword = allowInsecurePassword && userName is not null && security.IsNone,
        };
    }

    public IDeviceDriver Create(DeviceDescriptor device, DriverSettings settings, DriverContext context)
    {
        var opcua = (OpcUaSettings)settings;
        if (opcua.AllowInsecurePassword && _insecurePasswordWarned.TryAdd(opcua, s_warned))
        {
            // Once per start of the device (a reload that restarts it brings new settings and warns again), not at
            // every reconnect of a failing one.
            Log.InsecurePasswordAllowed(context.LoggerFactory.CreateLogger("SmartCity.Edge.Drivers.OpcUa"), device.Id);
        }

        return new OpcUaDriver(device, opcua, context.TimeProvider, context.LoggerFactory, context.DataDirectory, context.DeviceAlarms, context.DeviceGauges);
    }

    public string? Explain(DeviceDescriptor device, DriverSettings settings, int tagIndex, string reason) =>
        settings is OpcUaSettings opcua && tagIndex >= 0 && tagIndex < opcua.Tags.Count ? OpcUaHints.ForTag(device.Id, opcua.Tags[tagIndex], reason) : null;

    private static UaSecurityConfiguration ReadSecurity(ConfigSection security)
    {
        string policy = security.GetChoice("policy", OpcUaSecurityNames.NoPolicy, OpcUaSecurityNames.Policies, aliases: OpcUaSecurityNames.PolicyAliases);
        UaMessageSecurityMode? mode = security.GetChoice("mode", policy == OpcUaSecurityNames.NoPolicy ? UaMessageSecurityMode.None : null, OpcUaSecurityNames.Modes, aliases: OpcUaSecurityNames.ModeAliases);
        bool allowDeprecated = security.GetBoolean("allow_deprecated", false);
        bool trustOnFirstUse = security.GetBoolean("trust_on_first_use", false);
        bool checkHostName = security.GetBoolean("check_hostname", true);
        long validityDays = security.GetInt64("certificate_validity_days", 365 * 5, min: 1, max: 365 * 30);
        string applicationUri = security.GetString("application_uri", UaSecurityConfiguration.DefaultApplicationUri)!;
        if (!Uri.TryCreate(applicationUri, UriKind.Absolute, out _))
        {
            security.Error("application_uri", $"'{applicationUri}' is not an absolute URI (e.g. urn:smartcity-edge:gateway1)");
        }

        // Only between values the technician wrote correctly: a mistyped policy reads as None, which must not also
        // produce "policy None needs mode None" for a mode that was right.
        if (security.IsValid("policy") && security.IsValid("mode"))
        {
            if (policy == OpcUaSecurityNames.NoPolicy && mode is not UaMessageSecurityMode.None)
            {
                security.Error("mode", $"policy None needs mode None, not {OpcUaSecurityNames.ModeName(mode)}; choose a policy (auto, Basic256Sha256, …) for Sign or SignAndEncrypt");
            }
            else if (policy != OpcUaSecurityNames.NoPolicy && mode is UaMessageSecurityMode.None)
            {
                security.Error("mode", $"policy {policy} needs mode Sign, SignAndEncrypt or auto; for no security write policy: None");
            }
        }

        if (OpcUaSecurityNames.IsDeprecated(policy) && !allowDeprecated)
        {
            security.Error("policy", $"{policy} is deprecated (SHA-1) and insecure; set allow_deprecated: true only for old equipment that offers nothing better");
        }

        security.ReportUnknownKeys();
        return new UaSecurityConfiguration(policy, mode, allowDeprecated, trustOnFirstUse, checkHostName, TimeSpan.FromDays(validityDays), applicationUri);
    }

    /// <summary><c>events: true</c> (the Server object, default map) or <c>events: { notifiers, severity_map, queue_size }</c>.</summary>
    private static OpcUaEventSettings? ReadEvents(ConfigSection device)
    {
        if (!device.HasMapping("events"))
        {
            return device.GetBoolean("events", false) ? OpcUaEventSettings.Default : null;
        }

        ConfigSection events = device.GetSection("events")!;
        IReadOnlyList<UaNodeId> notifiers = OpcUaEventSettings.Default.Notifiers;
        if (events.Has("notifiers") && events.GetScalarList("notifiers") is { } texts)
        {
            var parsed = new List<UaNodeId>(texts.Count);
            foreach (string text in texts)
            {
                if (UaNodeId.TryParse(text, out UaNodeId node, out string? error))
                {
                    parsed.Add(node);
                }
                else
                {
                    events.Error("notifiers", error);
                }
            }

            if (texts.Count == 0)
            {
                events.Error("notifiers", "needs at least one node, e.g. [\"i=2253\"] (the Server object, which sees every event)");
            }

            notifiers = parsed;
        }

        OpcUaSeverityMap map = OpcUaSeverityMap.Default;
        if (events.GetSection("severity_map") is { } section)
        {
            // An invalid bound reads as 0 (already reported): the order check then stays quiet.
            int warning = section.Has("warning") ? section.GetInt32("warning", 0, OpcUaSeverityMap.MinSeverity, OpcUaSeverityMap.MaxSeverity) : map.WarningFrom;
            int high = section.Has("high") ? section.GetInt32("high", 0, OpcUaSeverityMap.MinSeverity, OpcUaSeverityMap.MaxSeverity) : map.HighFrom;
            int critical = section.Has("critical") ? section.GetInt32("critical", 0, OpcUaSeverityMap.MinSeverity, OpcUaSeverityMap.MaxSeverity) : map.CriticalFrom;
            if (warning > 0 && high > 0 && critical > 0 && !(warning <= high && high <= critical))
            {
                section.Error(warning > high ? "high" : "critical", $"the lower bounds must rise: warning ({warning}) ≤ high ({high}) ≤ critical ({critical})");
            }

            section.ReportUnknownKeys();
            map = new OpcUaSeverityMap(warning, high, critical);
        }

        uint queueSize = (uint)events.GetInt64("queue_size", OpcUaEventSettings.DefaultQueueSize, min: 1, max: 100000);
        events.ReportUnknownKeys();
        return new OpcUaEventSettings(notifiers, map, queueSize);
    }

    private static OpcUaTagSettings ReadTag(string id, ConfigSection tag)
    {
        UaNodeReference? nodeId = null;
        IReadOnlyList<UaQualifiedName>? path = null;
        bool hasNode = tag.Has("node");
        bool hasPath = tag.Has("path");
        if (hasNode == hasPath)
        {
            tag.Error(hasNode ? "path" : "node", hasNode ? "give either node: or path:, not both" : "is required (or path:), e.g. node: \"ns=1;s=Door1.Open\"");
        }
        else if (hasNode)
        {
            string text = tag.GetRequiredString("node");
            if (UaNodeReference.TryParse(text, out UaNodeReference parsed, out string? error))
            {
                nodeId = parsed;
            }
            else if (text.Length > 0)
            {
                tag.Error("node", error);
            }
        }
        else
        {
            string text = tag.GetRequiredString("path");
            if (OpcUaPath.TryParse(text, out IReadOnlyList<UaQualifiedName>? elements, out string? error))
            {
                path = elements;
            }
            else if (text.Length > 0)
            {
                tag.Error("path", error);
            }
        }

        OpcUaTagMode mode = tag.GetChoice("mode", OpcUaTagMode.Subscribe, s_tagModes);
        TimeSpan sampling = tag.GetDuration("sampling_interval", TimeSpan.FromMilliseconds(250), min: TimeSpan.Zero, max: TimeSpan.FromHours(1));
        uint queueSize = (uint)tag.GetInt64("queue_size", 10, min: 1, max: 10000);
        double? deadband = tag.GetOptionalDouble("deadband", min: 0);
        UaDeadbandType deadbandType = tag.GetChoice("deadband_type", UaDeadbandType.Absolute, s_deadbandTypes);
        if (deadbandType == UaDeadbandType.Percent && deadband > 100)
        {
            tag.Error("deadband", $"a percent deadband must be 0..100, not {deadband}");
        }

        return new OpcUaTagSettings(id, nodeId, path, mode, sampling, queueSize, deadband is > 0 ? deadbandType : UaDeadbandType.None, deadband ?? 0);
    }
}
