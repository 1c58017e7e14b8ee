namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Session;

/// <summary>
/// The timestamp rule of the Primary Host's STATE (tck-id-message-flow-edge-node-birth-publish-phid-wait-timestamp,
/// tck-id-operational-behavior-edge-node-termination-host-offline-timestamp): a STATE older than the last one seen
/// from the host on the same server is ignored; an equal or newer one counts, and the first one seen is always
/// trusted. The last timestamp is kept per server for the life of the process, across reconnects: the broker
/// replays the retained STATE on every subscribe, and a host's late Will must not undo its newer birth.
/// </summary>
internal sealed class SparkplugPrimaryHost
{
    private readonly Dictionary<int, long> _lastTimestamp = [];
    private readonly Dictionary<int, bool> _lastOnline = [];

    public SparkplugPrimaryHost(string hostId)
    {
        HostId = hostId;
        StateTopic = SparkplugTopics.State(hostId);
    }

    public string HostId { get; }

    /// <summary><c>spBv1.0/STATE/{host}</c>: only this exact topic names our host (…-phid-wait-id).</summary>
    public string StateTopic { get; }

    /// <summary>The last STATE this host said on <paramref name="server"/> (index in the servers list), or null.</summary>
    public bool? LastOnline(int server) => _lastOnline.TryGetValue(server, out bool online) ? online : null;

    public SparkplugHostVerdict Apply(int server, SparkplugHostState state)
    {
        if (_lastTimestamp.TryGetValue(server, out long last) && state.Timestamp < last)
        {
            return SparkplugHostVerdict.Stale;
        }

        _lastTimestamp[server] = state.Timestamp;
        _lastOnline[server] = state.Online;
        return state.Online ? SparkplugHostVerdict.Online : SparkplugHostVerdict.Offline;
    }
}
