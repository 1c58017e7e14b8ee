namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>UserTokenType (OPC 10000-4 §7.37).</summary>
public enum UaUserTokenType
{
    Anonymous = 0,
    UserName = 1,
    Certificate = 2,
    IssuedToken = 3,
}

/// <summary>UserTokenPolicy (OPC 10000-4 §7.37): what identity an endpoint accepts and how a secret must be encrypted.</summary>
public sealed record UaUserTokenPolicy(string? PolicyId, UaUserTokenType TokenType, string? IssuedTokenType, string? IssuerEndpointUrl, string? SecurityPolicyUri)
{
    public static UaUserTokenPolicy Decode(ref UaBinaryReader reader)
    {
        string? policyId = reader.ReadString();
        var type = (UaUserTokenType)reader.ReadInt32();
        string? issuedTokenType = reader.ReadString();
        string? issuerUrl = reader.ReadString();
        return new UaUserTokenPolicy(policyId, type, issuedTokenType, issuerUrl, reader.ReadString());
    }
}

/// <summary>ApplicationDescription (OPC 10000-4 §7.1).</summary>
public sealed record UaApplicationDescription(string? ApplicationUri, string? ProductUri, UaLocalizedText ApplicationName, int ApplicationType, string?[]? DiscoveryUrls)
{
    public void Encode(UaBinaryWriter writer)
    {
        writer.WriteString(ApplicationUri);
        writer.WriteString(ProductUri);
        writer.WriteLocalizedText(ApplicationName);
        writer.WriteInt32(ApplicationType);
        writer.WriteString(null); // gatewayServerUri
        writer.WriteString(null); // discoveryProfileUri
        writer.WriteArray(DiscoveryUrls, static (w, s) => w.WriteString(s));
    }

    public static UaApplicationDescription Decode(ref UaBinaryReader reader)
    {
        string? uri = reader.ReadString();
        string? productUri = reader.ReadString();
        UaLocalizedText name = reader.ReadLocalizedText();
        int type = reader.ReadInt32();
        reader.ReadString();
        reader.ReadString();
        return new UaApplicationDescription(uri, productUri, name, type, reader.ReadArray(static (ref UaBinaryReader r) => r.ReadString()));
    }
}

/// <summary>EndpointDescription (OPC 10000-4 §7.10).</summary>
public sealed record UaEndpointDescription(
    string? EndpointUrl,
    UaApplicationDescription Server,
    byte[]? ServerCertificate,
    UaMessageSecurityMode SecurityMode,
    string? SecurityPolicyUri,
    UaUserTokenPolicy[] UserIdentityTokens,
    string? TransportProfileUri,
    byte SecurityLevel)
{
    public static UaEndpointDescription Decode(ref UaBinaryReader reader)
    {
        string? url = reader.ReadString();
        UaApplicationDescription server = UaApplicationDescription.Decode(ref reader);
        byte[]? certificate = reader.ReadByteString();
        var mode = (UaMessageSecurityMode)reader.ReadInt32();
        string? policy = reader.ReadString();
        UaUserTokenPolicy[] tokens = reader.ReadArray(UaUserTokenPolicy.Decode) ?? [];
        string? transport = reader.ReadString();
        return new UaEndpointDescription(url, server, certificate, mode, policy, tokens, transport, reader.ReadByte());
    }
}

/// <summary>GetEndpointsRequest (OPC 10000-4 §5.4.4; 428): endpointUrl, localeIds, profileUris.</summary>
internal sealed record GetEndpointsRequest(string EndpointUrl) : IUaRequest
{
    public uint TypeId => UaTypeIds.GetEndpointsRequest;

    public void Encode(UaBinaryWriter writer)
    {
        writer.WriteString(EndpointUrl);
        writer.WriteInt32(0);
        writer.WriteInt32(0);
    }
}

internal sealed record GetEndpointsResponse(UaEndpointDescription[] Endpoints) : IUaResponse<GetEndpointsResponse>
{
    public static uint TypeId => UaTypeIds.GetEndpointsResponse;

    public static GetEndpointsResponse Decode(ref UaBinaryReader reader, UaResponseHeader header) =>
        new(reader.ReadArray(UaEndpointDescription.Decode) ?? []);
}
