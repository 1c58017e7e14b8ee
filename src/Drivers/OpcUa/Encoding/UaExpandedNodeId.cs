namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// A NodeId that may name its namespace by URI and live on another server (OPC 10000-6 §5.2.2.10).
/// </summary>
public readonly record struct UaExpandedNodeId(UaNodeId NodeId, string? NamespaceUri, uint ServerIndex)
{
    public static implicit operator UaExpandedNodeId(UaNodeId nodeId) => new(nodeId, null, 0);

    public bool IsLocal => NamespaceUri is null && ServerIndex == 0;

    public override string ToString() =>
        (ServerIndex != 0 ? $"svr={ServerIndex};" : string.Empty) + (NamespaceUri is null ? string.Empty : $"nsu={NamespaceUri};") + NodeId;
}
