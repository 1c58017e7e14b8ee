namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// A subscription as the client remembers it (OPC 10000-4 §5.13): enough to transfer or recreate it after a
/// reconnect with the same client handles, and the last sequence number delivered, to find gaps to Republish.
/// </summary>
public sealed class UaSubscription
{
    internal UaSubscription(double requestedPublishingInterval, uint keepAliveCount, IReadOnlyList<UaMonitoredItemRequest> items, IUaDataChangeHandler handler)
    {
        RequestedPublishingInterval = requestedPublishingInterval;
        RequestedKeepAliveCount = keepAliveCount;
        Items = items;
        Handler = handler;
    }

    public uint SubscriptionId { get; internal set; }

    public double RequestedPublishingInterval { get; }

    public uint RequestedKeepAliveCount { get; }

    public double PublishingInterval { get; internal set; }

    public uint KeepAliveCount { get; internal set; }

    public IReadOnlyList<UaMonitoredItemRequest> Items { get; }

    public IUaDataChangeHandler Handler { get; }

    /// <summary>
    /// The node each item monitors on the current session, in <see cref="Items"/> order (namespace URIs resolved);
    /// null where the server lacks the item's namespace.
    /// </summary>
    internal UaNodeId?[] MonitoredNodes { get; set; } = [];

    /// <summary>Results of the last CreateMonitoredItems, in <see cref="Items"/> order.</summary>
    public IReadOnlyList<UaMonitoredItemResult> ItemResults { get; internal set; } = [];

    /// <summary>Sequence number of the last notification message delivered; 0 before the first.</summary>
    public uint LastSequenceNumber { get; internal set; }

    /// <summary>Keep-alive messages received (for tests and diagnostics).</summary>
    public int KeepAlivesReceived { get; internal set; }

    /// <summary>Notification messages recovered by Republish (for tests and diagnostics).</summary>
    public int RepublishedCount { get; internal set; }

    /// <summary>
    /// Silence after which the link is considered dead: two keep-alive periods plus 3 s of slack, so a busy server
    /// (or a loaded gateway) is not mistaken for a dead link.
    /// </summary>
    internal TimeSpan KeepAliveTimeout => TimeSpan.FromMilliseconds((PublishingInterval * KeepAliveCount * 2) + 3000);
}
