using SmartCity.Edge.Drivers.Configuration;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// <c>driver: opcua</c>: an OPC UA server over opc.tcp (our own client stack, SecurityPolicy None for now).
/// Device keys: <c>endpoint</c>, <c>security {policy, mode}</c>, <c>auth {username, password}</c>,
/// <c>publishing_interval</c>, <c>keep_alive</c>, <c>session_timeout</c>, <c>request_timeout</c>.
/// Tag keys: <c>node</c> | <c>path</c>, <c>mode</c> (subscribe | poll), <c>sampling_interval</c>, <c>queue_size</c>,
/// <c>deadband</c>, <c>deadband_type</c> (absolute | percent). See sample.yaml.
/// </summary>
public sealed class OpcUaDriverFactory : IDriverFactory
{
    private static readonly Dictionary<string, string> s_policies = new(StringComparer.Ordinal)
    {
        ["None"] = UaSecurityPolicyNone.Uri,
    };

    private static readonly Dictionary<string, UaMessageSecurityMode> s_modes = new(StringComparer.Ordinal)
    {
        ["None"] = UaMessageSecurityMode.None,
    };

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

        string policy = UaSecurityPolicyNone.Uri;
        UaMessageSecurityMode mode = UaMessageSecurityMode.None;
        if (deviceSection.GetSection("security") is { } security)
        {
            policy = security.GetChoice("policy", UaSecurityPolicyNone.Uri, s_policies);
            mode = security.GetChoice("mode", UaMessageSecurityMode.None, s_modes);
            security.ReportUnknownKeys();
        }

        string? userName = null;
        string? password = null;
        if (deviceSection.GetSection("auth") is { } auth)
        {
            userName = auth.GetRequiredString("username");
            password = auth.GetString("password") ?? string.Empty;
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

        return new OpcUaSettings(endpoint, policy, mode, userName, password, publishing, keepAlive, sessionTimeout, requestTimeout, tags);
    }

    public IDeviceDriver Create(DeviceDescriptor device, DriverSettings settings, DriverContext context) =>
        new OpcUaDriver(device, (OpcUaSettings)settings, context.TimeProvider, context.LoggerFactory);

    private static OpcUaTagSettings ReadTag(string id, ConfigSection tag)
    {
        UaNodeId? nodeId = null;
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
            if (UaNodeId.TryParse(text, out UaNodeId parsed, out string? error))
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
