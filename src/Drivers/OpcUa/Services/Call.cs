namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>CallMethodRequest (OPC 10000-4 §5.11.2): the object, the method and its input arguments.</summary>
public sealed record UaCallMethodRequest(UaNodeId ObjectId, UaNodeId MethodId, IReadOnlyList<UaVariant> InputArguments);

/// <summary>CallMethodResult: the call's status, per-argument results and the output arguments.</summary>
public sealed record UaCallMethodResult(UaStatusCode StatusCode, UaStatusCode[] InputArgumentResults, UaVariant[] OutputArguments);

/// <summary>CallRequest (712): methodsToCall[].</summary>
internal sealed record CallRequest(IReadOnlyList<UaCallMethodRequest> Methods) : IUaRequest
{
    public uint TypeId => UaTypeIds.CallRequest;

    public void Encode(UaBinaryWriter writer) =>
        writer.WriteArray(Methods, static (w, m) =>
        {
            w.WriteNodeId(m.ObjectId);
            w.WriteNodeId(m.MethodId);
            w.WriteArray(m.InputArguments, static (w2, v) => w2.WriteVariant(v));
        });
}

/// <summary>CallResponse (715): results[], diagnosticInfos[].</summary>
internal sealed record CallResponse(UaCallMethodResult[] Results) : IUaResponse<CallResponse>
{
    public static uint TypeId => UaTypeIds.CallResponse;

    public static CallResponse Decode(ref UaBinaryReader reader, UaResponseHeader header)
    {
        UaCallMethodResult[] results = reader.ReadArray(static (ref UaBinaryReader r) =>
        {
            UaStatusCode status = r.ReadStatusCode();
            UaStatusCode[] inputResults = r.ReadArray(static (ref UaBinaryReader r2) => r2.ReadStatusCode()) ?? [];
            r.ReadArray(static (ref UaBinaryReader r2) => r2.ReadDiagnosticInfo());
            UaVariant[] outputs = r.ReadArray(static (ref UaBinaryReader r2) => r2.ReadVariant()) ?? [];
            return new UaCallMethodResult(status, inputResults, outputs);
        }) ?? [];
        reader.ReadArray(static (ref UaBinaryReader r) => r.ReadDiagnosticInfo());
        return new CallResponse(results);
    }
}
