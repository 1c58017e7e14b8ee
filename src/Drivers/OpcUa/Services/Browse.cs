namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>NodeClass (OPC 10000-3 §8.29), a bit mask.</summary>
[Flags]
public enum UaNodeClass
{
    Unspecified = 0,
    Object = 1,
    Variable = 2,
    Method = 4,
    ObjectType = 8,
    VariableType = 16,
    ReferenceType = 32,
    DataType = 64,
    View = 128,
}

/// <summary>ReferenceDescription (OPC 10000-4 §7.30).</summary>
public sealed record UaReferenceDescription(
    UaNodeId ReferenceTypeId,
    bool IsForward,
    UaExpandedNodeId NodeId,
    UaQualifiedName BrowseName,
    UaLocalizedText DisplayName,
    UaNodeClass NodeClass,
    UaExpandedNodeId TypeDefinition)
{
    public static UaReferenceDescription Decode(ref UaBinaryReader reader)
    {
        UaNodeId referenceType = reader.ReadNodeId();
        bool forward = reader.ReadBoolean();
        UaExpandedNodeId nodeId = reader.ReadExpandedNodeId();
        UaQualifiedName browseName = reader.ReadQualifiedName();
        UaLocalizedText displayName = reader.ReadLocalizedText();
        var nodeClass = (UaNodeClass)reader.ReadInt32();
        return new UaReferenceDescription(referenceType, forward, nodeId, browseName, displayName, nodeClass, reader.ReadExpandedNodeId());
    }
}

/// <summary>BrowseResult (§7.3): statusCode, continuationPoint, references.</summary>
public sealed record UaBrowseResult(UaStatusCode StatusCode, byte[]? ContinuationPoint, UaReferenceDescription[] References)
{
    public static UaBrowseResult Decode(ref UaBinaryReader reader)
    {
        UaStatusCode status = reader.ReadStatusCode();
        byte[]? continuation = reader.ReadByteString();
        return new UaBrowseResult(status, continuation, reader.ReadArray(UaReferenceDescription.Decode) ?? []);
    }
}

/// <summary>BrowseRequest (OPC 10000-4 §5.8.2; 527): view, requestedMaxReferencesPerNode, nodesToBrowse (forward hierarchical references, all classes).</summary>
internal sealed record BrowseRequest(IReadOnlyList<UaNodeId> Nodes, uint MaxReferencesPerNode) : IUaRequest
{
    public uint TypeId => UaTypeIds.BrowseRequest;

    public void Encode(UaBinaryWriter writer)
    {
        writer.WriteNodeId(UaNodeId.Null); // view: whole address space
        writer.WriteDateTime(DateTime.MinValue);
        writer.WriteUInt32(0);
        writer.WriteUInt32(MaxReferencesPerNode);
        writer.WriteArray(Nodes, static (w, node) =>
        {
            w.WriteNodeId(node);
            w.WriteInt32(0); // BrowseDirection Forward
            w.WriteNodeId(UaTypeIds.HierarchicalReferences);
            w.WriteBoolean(true); // includeSubtypes
            w.WriteUInt32(0); // nodeClassMask: all
            w.WriteUInt32(0x3F); // resultMask: all fields
        });
    }
}

/// <summary>BrowseNextRequest (§5.8.3; 533): releaseContinuationPoints, continuationPoints.</summary>
internal sealed record BrowseNextRequest(bool Release, IReadOnlyList<byte[]> ContinuationPoints) : IUaRequest
{
    public uint TypeId => UaTypeIds.BrowseNextRequest;

    public void Encode(UaBinaryWriter writer)
    {
        writer.WriteBoolean(Release);
        writer.WriteArray(ContinuationPoints, static (w, c) => w.WriteByteString(c));
    }
}

internal sealed record BrowseResponse(UaBrowseResult[] Results) : IUaResponse<BrowseResponse>
{
    public static uint TypeId => UaTypeIds.BrowseResponse;

    public static BrowseResponse Decode(ref UaBinaryReader reader, UaResponseHeader header) => new(reader.ReadArray(UaBrowseResult.Decode) ?? []);
}

internal sealed record BrowseNextResponse(UaBrowseResult[] Results) : IUaResponse<BrowseNextResponse>
{
    public static uint TypeId => UaTypeIds.BrowseNextResponse;

    public static BrowseNextResponse Decode(ref UaBinaryReader reader, UaResponseHeader header) => new(reader.ReadArray(UaBrowseResult.Decode) ?? []);
}
