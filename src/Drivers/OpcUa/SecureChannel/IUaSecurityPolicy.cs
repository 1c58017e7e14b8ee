namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// Everything that differs between security policies (OPC 10000-7; 10000-6 §6.7.2–6.7.5), behind one seam so the
/// secure channel, session and service layers never branch on the policy. Part 1 ships
/// <see cref="UaSecurityPolicyNone"/>; Basic256Sha256, Aes128_Sha256_RsaOaep and Aes256_Sha256_RsaPss implement
/// this same interface (asymmetric OPN protection, P_SHA256 key derivation, HMAC/AES-CBC chunks, session signatures).
/// </summary>
/// <remarks>
/// Chunk layout the channel hands to <see cref="Protect"/> / <see cref="Unprotect"/>:
/// <code>
/// [MessageHeader 12][SecurityHeader][SequenceNumber 4][RequestId 4][Body][Padding…][Signature]
///                                   ^ securedFrom (start of what is encrypted)
/// </code>
/// The asymmetric security header (OPN) is written by the channel from <see cref="PolicyUri"/>,
/// <see cref="SenderCertificate"/> and <see cref="ReceiverCertificateThumbprint"/>; MSG/CLO carry a TokenId.
/// </remarks>
public interface IUaSecurityPolicy
{
    /// <summary>e.g. <c>http://opcfoundation.org/UA/SecurityPolicy#None</c>.</summary>
    string PolicyUri { get; }

    UaMessageSecurityMode SecurityMode { get; }

    /// <summary>Length of the channel nonces (0 = send a null nonce, as policy None does).</summary>
    int NonceLength { get; }

    /// <summary>Our application certificate (DER, leaf first) for the asymmetric header and CreateSession; null for None.</summary>
    byte[]? SenderCertificate { get; }

    /// <summary>SHA-1 of the server's leaf certificate; null for None.</summary>
    byte[]? ReceiverCertificateThumbprint { get; }

    /// <summary>How many body bytes fit in one chunk of <paramref name="chunkSize"/> after the headers and this policy's padding and signature.</summary>
    int GetMaxBodySize(int chunkSize, int headerSize, bool asymmetric);

    /// <summary>
    /// Signs and/or encrypts a chunk in place. <paramref name="chunk"/> holds <paramref name="plainLength"/> bytes and has
    /// room up to its length for padding and signature. Sets MessageSize (offset 4) to the final size, which it returns.
    /// </summary>
    int Protect(Span<byte> chunk, int plainLength, int securedFrom, bool asymmetric, object? keys);

    /// <summary>
    /// Decrypts and verifies a received chunk in place; returns the length of the chunk without padding and signature.
    /// Throws <see cref="UaTransportException"/> (Bad_SecurityChecksFailed) when verification fails.
    /// </summary>
    int Unprotect(Span<byte> chunk, int securedFrom, bool asymmetric, object? keys);

    /// <summary>
    /// Validates the server certificate again (trust list, validity period) before an OpenSecureChannel is sent —
    /// the first one, every renewal, and every new channel for a surviving session — so a certificate removed from the
    /// trust list or expired while connected stops the connection at its next renewal. Throws
    /// <see cref="UaCertificateException"/>; a no-op for None.
    /// </summary>
    void CheckServerCertificate();

    /// <summary>Checks the asymmetric security header the server sent on an OPN response.</summary>
    void CheckAsymmetricHeader(string? policyUri, ReadOnlySpan<byte> senderCertificate, ReadOnlySpan<byte> receiverThumbprint);

    /// <summary>Derives the symmetric keys of a token from both nonces (§6.7.5); null for None.</summary>
    object? DeriveKeys(ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> serverNonce);

    /// <summary>The CreateSession/ActivateSession clientSignature over <c>serverCertificate ‖ serverNonce</c> (OPC 10000-4 §5.6.3); null for None.</summary>
    UaSignatureData? CreateClientSignature(ReadOnlySpan<byte> serverCertificate, ReadOnlySpan<byte> serverNonce);

    /// <summary>Verifies the CreateSession serverSignature over <c>clientCertificate ‖ clientNonce</c>; no-op for None.</summary>
    void VerifyServerSignature(UaSignatureData? signature, ReadOnlySpan<byte> clientCertificate, ReadOnlySpan<byte> clientNonce);
}
