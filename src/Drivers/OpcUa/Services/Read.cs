namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>TimestampsToReturn (OPC 10000-4 §7.35).</summary>
public enum UaTimestampsToReturn
{
    Source = 0,
    Server = 1,
    Both = 2,
    Neither = 3,
}

/// <summary>ReadValueId (OPC 10000-4 §7.24): nodeId, attributeId, indexRange, dataEncoding.</summary>
public readonly record struct UaReadValueId(UaNodeId NodeId, UaAttributeId AttributeId = UaAttributeId.Value, string? IndexRange = null)
{
    public void Encode(UaBinaryWriter writer)
    {
        writer.WriteNodeId(NodeId);
        writer.WriteUInt32((uint)AttributeId);
        writer.WriteString(IndexRange);
        writer.WriteQualifiedName(default);
    }
}

/// <summary>ReadRequest (OPC 10000-4 §5.10.2; 631): maxAge, timestampsToReturn, nodesToRead.</summary>
internal sealed class ReadRequest(double maxAge, UaTimestampsToReturn timestamps, ArraySegment<UaReadValueId> nodes) : IUaRequest
{
    public uint TypeId => UaTypeIds.ReadRequest;

    public void Encode(UaBinaryWriter writer)
    {
        writer.WriteDouble(maxAge);
        writer.WriteInt32((int)timestamps);
        writer.WriteInt32(nodes.Count);
        foreach (UaReadValueId node in nodes)
        {
            node.Encode(writer);
        }
    }
}

internal sealed record ReadResponse(UaDataValue[] Results) : IUaResponse<ReadResponse>
{
    public static uint TypeId => UaTypeIds.ReadResponse;

    public static ReadResponse Decode(ref UaBinaryReader reader, UaResponseHeader header) =>
        new(reader.ReadArray(static (ref UaBinaryReader r) => r.ReadDataValue()) ?? []);
}
