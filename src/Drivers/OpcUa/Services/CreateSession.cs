namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>CreateSessionRequest (OPC 10000-4 §5.6.2; 461).</summary>
internal sealed record CreateSessionRequest(
    UaApplicationDescription ClientDescription,
    string EndpointUrl,
    string SessionName,
    byte[] ClientNonce,
    byte[]? ClientCertificate,
    double RequestedSessionTimeout,
    uint MaxResponseMessageSize) : IUaRequest
{
    public uint TypeId => UaTypeIds.CreateSessionRequest;

    public void Encode(UaBinaryWriter writer)
    {
        ClientDescription.Encode(writer);
        writer.WriteString(null); // serverUri
        writer.WriteString(EndpointUrl);
        writer.WriteString(SessionName);
        writer.WriteByteString(ClientNonce);
        writer.WriteByteString(ClientCertificate);
        writer.WriteDouble(RequestedSessionTimeout);
        writer.WriteUInt32(MaxResponseMessageSize);
    }
}

/// <summary>CreateSessionResponse (464).</summary>
internal sealed record CreateSessionResponse(
    UaNodeId SessionId,
    UaNodeId AuthenticationToken,
    double RevisedSessionTimeout,
    byte[]? ServerNonce,
    byte[]? ServerCertificate,
    UaEndpointDescription[] ServerEndpoints,
    UaSignatureData ServerSignature,
    uint MaxRequestMessageSize) : IUaResponse<CreateSessionResponse>
{
    public static uint TypeId => UaTypeIds.CreateSessionResponse;

    public static CreateSessionResponse Decode(ref UaBinaryReader reader, UaResponseHeader header)
    {
        UaNodeId sessionId = reader.ReadNodeId();
        UaNodeId token = reader.ReadNodeId();
        double timeout = reader.ReadDouble();
        byte[]? nonce = reader.ReadByteString();
        byte[]? certificate = reader.ReadByteString();
        UaEndpointDescription[] endpoints = reader.ReadArray(UaEndpointDescription.Decode) ?? [];
        reader.ReadArray(static (ref UaBinaryReader r) => r.ReadByteString()); // serverSoftwareCertificates (unused)
        UaSignatureData signature = UaSignatureData.Decode(ref reader);
        return new CreateSessionResponse(sessionId, token, timeout, nonce, certificate, endpoints, signature, reader.ReadUInt32());
    }
}
