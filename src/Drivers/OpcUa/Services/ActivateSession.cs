namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>ActivateSessionRequest (OPC 10000-4 §5.6.3; 467).</summary>
internal sealed record ActivateSessionRequest(UaSignatureData ClientSignature, UaExtensionObject UserIdentityToken, UaSignatureData UserTokenSignature) : IUaRequest
{
    public uint TypeId => UaTypeIds.ActivateSessionRequest;

    public void Encode(UaBinaryWriter writer)
    {
        ClientSignature.Encode(writer);
        writer.WriteInt32(0); // clientSoftwareCertificates
        writer.WriteArray(["en"], static (w, s) => w.WriteString(s));
        writer.WriteExtensionObject(UserIdentityToken);
        UserTokenSignature.Encode(writer);
    }
}

/// <summary>ActivateSessionResponse (470): a fresh serverNonce (single use) and per-certificate results.</summary>
internal sealed record ActivateSessionResponse(byte[]? ServerNonce) : IUaResponse<ActivateSessionResponse>
{
    public static uint TypeId => UaTypeIds.ActivateSessionResponse;

    public static ActivateSessionResponse Decode(ref UaBinaryReader reader, UaResponseHeader header) => new(reader.ReadByteString());
}

/// <summary>CloseSessionRequest (§5.6.4; 473): deleteSubscriptions.</summary>
internal sealed record CloseSessionRequest(bool DeleteSubscriptions) : IUaRequest
{
    public uint TypeId => UaTypeIds.CloseSessionRequest;

    public void Encode(UaBinaryWriter writer) => writer.WriteBoolean(DeleteSubscriptions);
}

internal sealed record CloseSessionResponse : IUaResponse<CloseSessionResponse>
{
    public static uint TypeId => UaTypeIds.CloseSessionResponse;

    public static CloseSessionResponse Decode(ref UaBinaryReader reader, UaResponseHeader header) => new();
}
