namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>SecurityPolicy None (OPC 10000-7): no certificates, no padding, no signatures, null nonces.</summary>
public sealed class UaSecurityPolicyNone : IUaSecurityPolicy
{
    public const string Uri = "http://opcfoundation.org/UA/SecurityPolicy#None";

    public static UaSecurityPolicyNone Instance { get; } = new();

    public string PolicyUri => Uri;

    public UaMessageSecurityMode SecurityMode => UaMessageSecurityMode.None;

    public int NonceLength => 0;

    public byte[]? SenderCertificate => null;

    public byte[]? ReceiverCertificateThumbprint => null;

    public int GetMaxBodySize(int chunkSize, int headerSize, bool asymmetric) => chunkSize - headerSize;

    public int Protect(Span<byte> chunk, int plainLength, int securedFrom, bool asymmetric, object? keys) => plainLength;

    public int Unprotect(Span<byte> chunk, int securedFrom, bool asymmetric, object? keys) => chunk.Length;

    public void CheckServerCertificate()
    {
    }

    public void CheckAsymmetricHeader(string? policyUri, ReadOnlySpan<byte> senderCertificate, ReadOnlySpan<byte> receiverThumbprint)
    {
        if (!string.Equals(policyUri, Uri, StringComparison.Ordinal))
        {
            throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadSecurityPolicyRejected), $"server answered with security policy '{policyUri}', expected None");
        }
    }

    public object? DeriveKeys(ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> serverNonce) => null;

    public UaSignatureData? CreateClientSignature(ReadOnlySpan<byte> serverCertificate, ReadOnlySpan<byte> serverNonce) => null;

    public void VerifyServerSignature(UaSignatureData? signature, ReadOnlySpan<byte> clientCertificate, ReadOnlySpan<byte> clientNonce)
    {
    }
}
