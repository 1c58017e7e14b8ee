namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>OpenSecureChannelRequest (OPC 10000-4 §5.5.2; encoding 446): ClientProtocolVersion, RequestType (0 Issue, 1 Renew), SecurityMode, ClientNonce, RequestedLifetime.</summary>
internal sealed record OpenSecureChannelRequest(int RequestType, UaMessageSecurityMode SecurityMode, byte[]? ClientNonce, uint RequestedLifetime) : IUaRequest
{
    public uint TypeId => UaTypeIds.OpenSecureChannelRequest;

    public void Encode(UaBinaryWriter writer)
    {
        writer.WriteUInt32(0);
        writer.WriteInt32(RequestType);
        writer.WriteInt32((int)SecurityMode);
        writer.WriteByteString(ClientNonce);
        writer.WriteUInt32(RequestedLifetime);
    }
}

/// <summary>OpenSecureChannelResponse (449): ServerProtocolVersion, SecurityToken {ChannelId, TokenId, CreatedAt, RevisedLifetime}, ServerNonce.</summary>
internal sealed record OpenSecureChannelResponse(uint ChannelId, uint TokenId, DateTime CreatedAt, uint RevisedLifetime, byte[]? ServerNonce) : IUaResponse<OpenSecureChannelResponse>
{
    public static uint TypeId => UaTypeIds.OpenSecureChannelResponse;

    public static OpenSecureChannelResponse Decode(ref UaBinaryReader reader, UaResponseHeader header)
    {
        reader.ReadUInt32();
        uint channelId = reader.ReadUInt32();
        uint tokenId = reader.ReadUInt32();
        DateTime createdAt = reader.ReadDateTime();
        uint lifetime = reader.ReadUInt32();
        return new OpenSecureChannelResponse(channelId, tokenId, createdAt, lifetime, reader.ReadByteString());
    }
}

/// <summary>CloseSecureChannelRequest (452): only the RequestHeader; the server does not answer.</summary>
internal sealed record CloseSecureChannelRequest : IUaRequest
{
    public uint TypeId => UaTypeIds.CloseSecureChannelRequest;

    public void Encode(UaBinaryWriter writer)
    {
    }
}
