namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// A browse path from a starting node through hierarchical references, each element a browse name
/// (OPC 10000-4 §7.26 RelativePath).
/// </summary>
public sealed record UaBrowsePath(UaNodeId StartingNode, IReadOnlyList<UaQualifiedName> Elements)
{
    public void Encode(UaBinaryWriter writer)
    {
        writer.WriteNodeId(StartingNode);
        writer.WriteArray(Elements, static (w, name) =>
        {
            w.WriteNodeId(UaTypeIds.HierarchicalReferences);
            w.WriteBoolean(false); // isInverse
            w.WriteBoolean(true);  // includeSubtypes
            w.WriteQualifiedName(name);
        });
    }
}

/// <summary>BrowsePathResult (§5.8.4.2): statusCode and targets {targetId, remainingPathIndex}.</summary>
public sealed record UaBrowsePathResult(UaStatusCode StatusCode, UaExpandedNodeId[] Targets)
{
    public static UaBrowsePathResult Decode(ref UaBinaryReader reader)
    {
        UaStatusCode status = reader.ReadStatusCode();
        UaExpandedNodeId[] targets = reader.ReadArray(static (ref UaBinaryReader r) =>
        {
            UaExpandedNodeId target = r.ReadExpandedNodeId();
            r.ReadUInt32(); // remainingPathIndex
            return target;
        }) ?? [];
        return new UaBrowsePathResult(status, targets);
    }
}

/// <summary>TranslateBrowsePathsToNodeIdsRequest (§5.8.4; 554).</summary>
internal sealed record TranslateBrowsePathsRequest(IReadOnlyList<UaBrowsePath> Paths) : IUaRequest
{
    public uint TypeId => UaTypeIds.TranslateBrowsePathsToNodeIdsRequest;

    public void Encode(UaBinaryWriter writer) => writer.WriteArray(Paths, static (w, p) => p.Encode(w));
}

internal sealed record TranslateBrowsePathsResponse(UaBrowsePathResult[] Results) : IUaResponse<TranslateBrowsePathsResponse>
{
    public static uint TypeId => UaTypeIds.TranslateBrowsePathsToNodeIdsResponse;

    public static TranslateBrowsePathsResponse Decode(ref UaBinaryReader reader, UaResponseHeader header) =>
        new(reader.ReadArray(UaBrowsePathResult.Decode) ?? []);
}
