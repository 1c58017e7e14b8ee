namespace SmartCity.Edge.Gateway.Upstream.Sparkplug;

/// <summary>
/// The topics of one edge node (§4.1): <c>spBv1.0/{group}/{NBIRTH|NDEATH|NDATA|NCMD}/{edge}</c> and
/// <c>spBv1.0/{group}/{DBIRTH|DDEATH|DDATA|DCMD}/{edge}/{device}</c>, and a host's <c>spBv1.0/STATE/{host}</c>. Strings
/// are built once (device topics on a device's first message) and reused for every publish.
/// </summary>
internal sealed class SparkplugTopics
{
    public const string Namespace = "spBv1.0";

    private readonly Dictionary<string, DeviceTopics> _devices = new(StringComparer.Ordinal);
    private readonly string _devicePrefix;

    public SparkplugTopics(string groupId, string edgeNodeId)
    {
        GroupId = groupId;
        EdgeNodeId = edgeNodeId;
        NBirth = $"{Namespace}/{groupId}/NBIRTH/{edgeNodeId}";
        NDeath = $"{Namespace}/{groupId}/NDEATH/{edgeNodeId}";
        NData = $"{Namespace}/{groupId}/NDATA/{edgeNodeId}";
        NCmd = $"{Namespace}/{groupId}/NCMD/{edgeNodeId}";
        DCmdFilter = $"{Namespace}/{groupId}/DCMD/{edgeNodeId}/+";
        _devicePrefix = $"{Namespace}/{groupId}/DCMD/{edgeNodeId}/";

        // Never subscribed and never published: the filter of the delivery check (SparkplugMqttSession.ConfirmDeliveryAsync),
        // under the node's own NCMD topic so that a broker ACL allowing the node its commands allows this too.
        DeliveryCheckFilter = NCmd + "/delivery-check";
    }

    public string GroupId { get; }

    public string EdgeNodeId { get; }

    public string NBirth { get; }

    public string NDeath { get; }

    public string NData { get; }

    public string NCmd { get; }

    /// <summary>The DCMD subscription, written literally (the TCK checks topic level 3: no <c>spBv1.0/G/+/E/#</c>).</summary>
    public string DCmdFilter { get; }

    public string DeliveryCheckFilter { get; }

    public static string State(string hostId) => $"{Namespace}/STATE/{hostId}";

    public string DBirth(string deviceId) => Device(deviceId).Birth;

    public string DDeath(string deviceId) => Device(deviceId).Death;

    public string DData(string deviceId) => Device(deviceId).Data;

    /// <summary>The device a DCMD topic of this node addresses, or null when <paramref name="topic"/> is no DCMD of ours.</summary>
    public string? DeviceOfCommand(string topic)
    {
        if (!topic.StartsWith(_devicePrefix, StringComparison.Ordinal) || topic.Length == _devicePrefix.Length)
        {
            return null;
        }

        string device = topic[_devicePrefix.Length..];
        return device.Contains('/', StringComparison.Ordinal) ? null : device;
    }

    private DeviceTopics Device(string deviceId)
    {
        if (!_devices.TryGetValue(deviceId, out DeviceTopics? topics))
        {
            topics = new DeviceTopics(
                $"{Namespace}/{GroupId}/DBIRTH/{EdgeNodeId}/{deviceId}",
                $"{Namespace}/{GroupId}/DDEATH/{EdgeNodeId}/{deviceId}",
                $"{Namespace}/{GroupId}/DDATA/{EdgeNodeId}/{deviceId}");
            _devices.Add(deviceId, topics);
        }

        return topics;
    }

    private sealed record DeviceTopics(string Birth, string Death, string Data);
}
