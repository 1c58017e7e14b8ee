using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// Builds the ActivateSession user identity token (OPC 10000-4 §7.36). The policyId must be one the endpoint
/// offers for the token type. A UserName password is encrypted per the user token policy's security policy even on
/// a None channel (node-opcua's None endpoints name Basic256Sha256 there): legacy format
/// <c>UInt32 length ‖ UTF-8 password ‖ serverNonce</c>, RSA-encrypted with the server certificate (§7.36.2.2).
/// </summary>
internal static class UaUserIdentity
{
    private const string RsaOaepSha1 = "http://www.w3.org/2001/04/xmlenc#rsa-oaep";
    private const string RsaOaepSha256 = "http://opcfoundation.org/UA/security/rsa-oaep-sha2-256";
    private const string Rsa15 = "http://www.w3.org/2001/04/xmlenc#rsa-1_5";

    public static UaExtensionObject Create(UaEndpointDescription endpoint, string? userName, string? password, byte[]? serverNonce)
    {
        if (userName is null)
        {
            UaUserTokenPolicy anonymous = Find(endpoint, UaUserTokenType.Anonymous)
                ?? throw new UaServiceException(new UaStatusCode(UaStatusCodes.BadIdentityTokenRejected), "the endpoint does not allow anonymous access; configure auth: { username, password }");
            return Token(UaTypeIds.AnonymousIdentityToken, w => w.WriteString(anonymous.PolicyId));
        }

        UaUserTokenPolicy policy = Find(endpoint, UaUserTokenType.UserName)
            ?? throw new UaServiceException(new UaStatusCode(UaStatusCodes.BadIdentityTokenRejected), "the endpoint does not accept user names; remove auth: to connect anonymously");
        string policyUri = string.IsNullOrEmpty(policy.SecurityPolicyUri) ? endpoint.SecurityPolicyUri ?? UaSecurityPolicyNone.Uri : policy.SecurityPolicyUri;
        (byte[] secret, string? algorithm) = Encrypt(policyUri, password ?? string.Empty, serverNonce ?? [], endpoint.ServerCertificate);
        return Token(UaTypeIds.UserNameIdentityToken, w =>
        {
            w.WriteString(policy.PolicyId);
            w.WriteString(userName);
            w.WriteByteString(secret);
            w.WriteString(algorithm);
        });
    }

    private static (byte[] Secret, string? Algorithm) Encrypt(string policyUri, string password, byte[] serverNonce, byte[]? serverCertificate)
    {
        byte[] plain = Encoding.UTF8.GetBytes(password);
        if (policyUri == UaSecurityPolicyNone.Uri)
        {
            return (plain, null);
        }

        (RSAEncryptionPadding padding, string algorithm) = policyUri switch
        {
            _ when policyUri.EndsWith("#Basic128Rsa15", StringComparison.Ordinal) => (RSAEncryptionPadding.Pkcs1, Rsa15),
            _ when policyUri.EndsWith("#Aes256_Sha256_RsaPss", StringComparison.Ordinal) => (RSAEncryptionPadding.OaepSHA256, RsaOaepSha256),
            _ => (RSAEncryptionPadding.OaepSHA1, RsaOaepSha1),
        };
        if (serverCertificate is null || serverCertificate.Length == 0)
        {
            throw new UaServiceException(new UaStatusCode(UaStatusCodes.BadCertificateInvalid), "the server sent no certificate to encrypt the password with");
        }

        byte[] block = new byte[4 + plain.Length + serverNonce.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(block, (uint)(plain.Length + serverNonce.Length));
        plain.CopyTo(block, 4);
        serverNonce.CopyTo(block, 4 + plain.Length);

        using X509Certificate2 certificate = X509CertificateLoader.LoadCertificate(LeafOf(serverCertificate));
        using RSA rsa = certificate.GetRSAPublicKey() ?? throw new UaServiceException(new UaStatusCode(UaStatusCodes.BadCertificateInvalid), "the server certificate has no RSA key");

        // RSA encrypts in blocks of (key size − padding overhead); a long secret spans several blocks.
        int keyBytes = rsa.KeySize / 8;
        int plainBlock = padding == RSAEncryptionPadding.Pkcs1 ? keyBytes - 11 : padding == RSAEncryptionPadding.OaepSHA256 ? keyBytes - 66 : keyBytes - 42;
        using var output = new MemoryStream();
        for (int offset = 0; offset < block.Length; offset += plainBlock)
        {
            output.Write(rsa.Encrypt(block.AsSpan(offset, Math.Min(plainBlock, block.Length - offset)).ToArray(), padding));
        }

        return (output.ToArray(), algorithm);
    }

    /// <summary>A certificate field may hold a chain (leaf first); the leaf is the first DER SEQUENCE.</summary>
    private static byte[] LeafOf(byte[] der)
    {
        try
        {
            var reader = new System.Formats.Asn1.AsnReader(der, System.Formats.Asn1.AsnEncodingRules.DER);
            return reader.ReadEncodedValue().ToArray();
        }
        catch (System.Formats.Asn1.AsnContentException)
        {
            return der;
        }
    }

    private static UaUserTokenPolicy? Find(UaEndpointDescription endpoint, UaUserTokenType type)
    {
        foreach (UaUserTokenPolicy policy in endpoint.UserIdentityTokens)
        {
            if (policy.TokenType == type)
            {
                return policy;
            }
        }

        return null;
    }

    private static UaExtensionObject Token(uint typeId, Action<UaBinaryWriter> write)
    {
        using var writer = new UaBinaryWriter(256);
        write(writer);
        return new UaExtensionObject(UaNodeId.FromNumeric(0, typeId), UaExtensionObjectEncoding.Binary, writer.WrittenSpan.ToArray());
    }
}
