using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// Builds the ActivateSession user identity token (OPC 10000-4 §7.36). The policyId must be one the endpoint offers
/// for the token type. A UserName password is encrypted per the user token policy's security policy (legacy format
/// <c>UInt32 length ‖ UTF-8 password ‖ serverNonce</c>, RSA-encrypted with the server certificate, §7.36.2.2).
/// </summary>
/// <remarks>
/// A password never leaves in clear text unless the channel itself encrypts (SignAndEncrypt): a user token policy
/// that asks for it in clear (policy None, or empty on a None/Sign endpoint) is refused on a None or Sign channel —
/// such a policy may come from an unauthenticated GetEndpoints reply. On a None channel (only with
/// <see cref="UaClientOptions.AllowInsecurePassword"/>) the certificate it is encrypted with is checked first
/// against the trust list: a password is only ever encrypted to a certificate we trust. On a secured channel that
/// certificate is the channel's, validated when the channel opened and confirmed by CreateSession.
/// </remarks>
internal static class UaUserIdentity
{
    private const string RsaOaepSha1 = "http://www.w3.org/2001/04/xmlenc#rsa-oaep";
    private const string RsaOaepSha256 = "http://opcfoundation.org/UA/security/rsa-oaep-sha2-256";
    private const string Rsa15 = "http://www.w3.org/2001/04/xmlenc#rsa-1_5";

    /// <summary>The identity of <paramref name="options"/>; for an X.509 user also the userTokenSignature over <c>serverCertificate ‖ serverNonce</c> (§5.6.3.2).</summary>
    /// <param name="endpoint">The endpoint chosen from GetEndpoints (its user token policies and certificate).</param>
    /// <param name="options">User name and password, or the user certificate; what a None channel allows.</param>
    /// <param name="channelMode">The security mode of the channel the token travels on.</param>
    /// <param name="serverNonce">The server's current session nonce.</param>
    /// <param name="userTokenSignature">The X.509 user's signature; empty otherwise.</param>
    public static UaExtensionObject Create(UaEndpointDescription endpoint, UaClientOptions options, UaMessageSecurityMode channelMode, byte[]? serverNonce, out UaSignatureData userTokenSignature)
    {
        userTokenSignature = UaSignatureData.Empty;
        if (options.UserCertificate is { } certificate)
        {
            UaUserTokenPolicy x509 = Find(endpoint, UaUserTokenType.Certificate)
                ?? throw new UaServiceException(new UaStatusCode(UaStatusCodes.BadIdentityTokenRejected), "the endpoint does not accept X.509 user certificates");
            string signingPolicy = string.IsNullOrEmpty(x509.SecurityPolicyUri) ? endpoint.SecurityPolicyUri ?? UaSecurityPolicyNone.Uri : x509.SecurityPolicyUri;
            UaSecurityAlgorithms suite = UaSecurityAlgorithms.FromUri(signingPolicy) ?? UaSecurityAlgorithms.Basic256Sha256;
            byte[] serverCertificate = UaCertificateInfo.LeafOf(endpoint.ServerCertificate ?? []);
            byte[] data = new byte[serverCertificate.Length + (serverNonce?.Length ?? 0)];
            serverCertificate.CopyTo(data, 0);
            serverNonce?.CopyTo(data, serverCertificate.Length);
            userTokenSignature = new UaSignatureData(suite.AsymmetricSignatureUri, certificate.PrivateKey.SignData(data, suite.AsymmetricSignatureHash, suite.AsymmetricSignaturePadding));
            return Token(UaTypeIds.X509IdentityToken, w =>
            {
                w.WriteString(x509.PolicyId);
                w.WriteByteString(certificate.Certificate);
            });
        }

        if (options.UserName is not { } userName)
        {
            UaUserTokenPolicy anonymous = Find(endpoint, UaUserTokenType.Anonymous)
                ?? throw new UaServiceException(new UaStatusCode(UaStatusCodes.BadIdentityTokenRejected), "the endpoint does not allow anonymous access; configure auth: { username, password }");
            return Token(UaTypeIds.AnonymousIdentityToken, w => w.WriteString(anonymous.PolicyId));
        }

        if (channelMode == UaMessageSecurityMode.None && !options.AllowInsecurePassword)
        {
            throw new UaServiceException(
                new UaStatusCode(UaStatusCodes.BadSecurityModeInsufficient),
                "a user name and password over security policy None are refused (the channel neither signs nor encrypts); choose a secured endpoint (security: { policy: auto }) or set auth.allow_insecure_password: true");
        }

        (UaUserTokenPolicy policy, UaSecurityAlgorithms? encryption) = ChooseUserNamePolicy(endpoint, channelMode);
        if (channelMode == UaMessageSecurityMode.None)
        {
            // The certificate came with an unauthenticated GetEndpoints reply: encrypt to it only when we trust it.
            Action<UaEndpointDescription> validate = options.ServerCertificateValidator ?? throw new UaCertificateException(
                new UaStatusCode(UaStatusCodes.BadCertificateUntrusted),
                "the password would be encrypted with a server certificate that no trust list checked; the password was not sent");
            validate(endpoint);
        }

        (byte[] secret, string? algorithm) = encryption is null
            ? (Encoding.UTF8.GetBytes(options.Password ?? string.Empty), null)
            : Encrypt(encryption, options.Password ?? string.Empty, serverNonce ?? [], endpoint.ServerCertificate);
        return Token(UaTypeIds.UserNameIdentityToken, w =>
        {
            w.WriteString(policy.PolicyId);
            w.WriteString(userName);
            w.WriteByteString(secret);
            w.WriteString(algorithm);
        });
    }

    /// <summary>
    /// The UserName token policy to use and the policy whose asymmetric encryption protects the password (null: the
    /// password goes in clear inside the token, allowed only on a SignAndEncrypt channel). An encrypting policy is
    /// preferred when the server offers several.
    /// </summary>
    private static (UaUserTokenPolicy Policy, UaSecurityAlgorithms? Encryption) ChooseUserNamePolicy(UaEndpointDescription endpoint, UaMessageSecurityMode channelMode)
    {
        UaUserTokenPolicy? plain = null;
        string? unknown = null;
        bool any = false;
        foreach (UaUserTokenPolicy policy in endpoint.UserIdentityTokens)
        {
            if (policy.TokenType != UaUserTokenType.UserName)
            {
                continue;
            }

            any = true;
            string uri = string.IsNullOrEmpty(policy.SecurityPolicyUri) ? endpoint.SecurityPolicyUri ?? UaSecurityPolicyNone.Uri : policy.SecurityPolicyUri;
            if (uri == UaSecurityPolicyNone.Uri)
            {
                plain ??= policy;
            }
            else if (UaSecurityAlgorithms.FromUri(uri) is { } suite)
            {
                return (policy, suite);
            }
            else
            {
                unknown ??= uri;
            }
        }

        if (!any)
        {
            throw new UaServiceException(new UaStatusCode(UaStatusCodes.BadIdentityTokenRejected), "the endpoint does not accept user names; remove auth: to connect anonymously");
        }

        if (plain is not null && channelMode == UaMessageSecurityMode.SignAndEncrypt)
        {
            return (plain, null);
        }

        throw new UaServiceException(
            new UaStatusCode(UaStatusCodes.BadSecurityModeInsufficient),
            unknown is not null
                ? $"the endpoint wants the password encrypted with security policy '{unknown}', which is not supported; the password was not sent"
                : $"the endpoint would take the password in clear text (user token policy None) over a {channelMode} channel, which does not encrypt; refused, the password was not sent. Use a SignAndEncrypt endpoint (security: {{ policy: auto, mode: SignAndEncrypt }})");
    }

    private static (byte[] Secret, string? Algorithm) Encrypt(UaSecurityAlgorithms suite, string password, byte[] serverNonce, byte[]? serverCertificate)
    {
        (RSAEncryptionPadding padding, string algorithm) = suite.AsymmetricEncryptionPadding == RSAEncryptionPadding.Pkcs1 ? (RSAEncryptionPadding.Pkcs1, Rsa15)
            : suite.AsymmetricEncryptionPadding == RSAEncryptionPadding.OaepSHA256 ? (RSAEncryptionPadding.OaepSHA256, RsaOaepSha256)
            : (RSAEncryptionPadding.OaepSHA1, RsaOaepSha1);
        if (serverCertificate is null || serverCertificate.Length == 0)
        {
            throw new UaServiceException(new UaStatusCode(UaStatusCodes.BadCertificateInvalid), "the server sent no certificate to encrypt the password with");
        }

        byte[] plain = Encoding.UTF8.GetBytes(password);
        byte[] block = new byte[4 + plain.Length + serverNonce.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(block, (uint)(plain.Length + serverNonce.Length));
        plain.CopyTo(block, 4);
        serverNonce.CopyTo(block, 4 + plain.Length);
        try
        {
            using X509Certificate2 certificate = X509CertificateLoader.LoadCertificate(UaCertificateInfo.LeafOf(serverCertificate));
            using RSA rsa = certificate.GetRSAPublicKey() ?? throw new UaCertificateException(new UaStatusCode(UaStatusCodes.BadCertificateInvalid), "the server certificate has no RSA key");

            // RSA encrypts in blocks of (key size − padding overhead); a long secret spans several blocks.
            int keyBytes = rsa.KeySize / 8;
            int plainBlock = keyBytes - suite.AsymmetricEncryptionOverhead;
            using var output = new MemoryStream();
            for (int offset = 0; offset < block.Length; offset += plainBlock)
            {
                output.Write(rsa.Encrypt(block.AsSpan(offset, Math.Min(plainBlock, block.Length - offset)).ToArray(), padding));
            }

            return (output.ToArray(), algorithm);
        }
        catch (CryptographicException ex)
        {
            throw new UaCertificateException(new UaStatusCode(UaStatusCodes.BadCertificateInvalid), "cannot encrypt the password with the server's certificate (malformed?): " + ex.Message, ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
            CryptographicOperations.ZeroMemory(block);
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
