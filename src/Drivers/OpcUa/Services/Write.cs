namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>WriteValue (OPC 10000-4 §5.10.4.2): nodeId, attributeId, indexRange, value DataValue.</summary>
public sealed record UaWriteValue(UaNodeId NodeId, UaDataValue Value, UaAttributeId AttributeId = UaAttributeId.Value)
{
    public void Encode(UaBinaryWriter writer)
    {
        writer.WriteNodeId(NodeId);
        writer.WriteUInt32((uint)AttributeId);
        writer.WriteString(null);
        writer.WriteDataValue(Value);
    }
}

/// <summary>WriteRequest (§5.10.4; 673).</summary>
internal sealed record WriteRequest(IReadOnlyList<UaWriteValue> Nodes) : IUaRequest
{
    public uint TypeId => UaTypeIds.WriteRequest;

    public void Encode(UaBinaryWriter writer) => writer.WriteArray(Nodes, static (w, n) => n.Encode(w));
}

internal sealed record WriteResponse(UaStatusCode[] Results) : IUaResponse<WriteResponse>
{
    public static uint TypeId => UaTypeIds.WriteResponse;

    public static WriteResponse Decode(ref UaBinaryReader reader, UaResponseHeader header) =>
        new(reader.ReadArray(static (ref UaBinaryReader r) => r.ReadStatusCode()) ?? []);
}
