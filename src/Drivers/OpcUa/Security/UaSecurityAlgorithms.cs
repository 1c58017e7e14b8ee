using System.Security.Cryptography;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// The algorithm suite of one RSA security policy (OPC 10000-7; notes §2.2). One table row per policy, so the
/// channel code (<see cref="UaSecurityPolicyRsa"/>) never branches on the policy name.
/// </summary>
/// <param name="Uri">Policy URI sent in the asymmetric security header.</param>
/// <param name="Name">The short name used in the YAML (<c>Basic256Sha256</c> …).</param>
/// <param name="Strength">Preference of <c>policy: auto</c>: higher wins.</param>
/// <param name="Deprecated">Only allowed with <c>allow_deprecated: true</c> (Basic128Rsa15, Basic256: SHA-1).</param>
/// <param name="Hash">Hash of the key derivation P_hash and the symmetric HMAC.</param>
/// <param name="SigningKeyLength">Symmetric signing key bytes.</param>
/// <param name="EncryptionKeyLength">AES key bytes (16 or 32).</param>
/// <param name="NonceLength">Channel nonce bytes.</param>
/// <param name="AsymmetricSignatureHash">Hash of the RSA signature.</param>
/// <param name="AsymmetricSignaturePadding">PKCS#1 v1.5 or PSS.</param>
/// <param name="AsymmetricSignatureUri">URI of the RSA signature algorithm (SignatureData.algorithm).</param>
/// <param name="AsymmetricEncryptionPadding">RSA encryption padding (OAEP-SHA1, OAEP-SHA256, PKCS#1 v1.5).</param>
/// <param name="AsymmetricEncryptionOverhead">Bytes an RSA block loses to that padding (42, 66, 11).</param>
/// <param name="MinKeyBits">Smallest RSA key the policy allows.</param>
/// <param name="MaxKeyBits">Largest RSA key the policy allows.</param>
public sealed record UaSecurityAlgorithms(
    string Uri,
    string Name,
    int Strength,
    bool Deprecated,
    HashAlgorithmName Hash,
    int SigningKeyLength,
    int EncryptionKeyLength,
    int NonceLength,
    HashAlgorithmName AsymmetricSignatureHash,
    RSASignaturePadding AsymmetricSignaturePadding,
    string AsymmetricSignatureUri,
    RSAEncryptionPadding AsymmetricEncryptionPadding,
    int AsymmetricEncryptionOverhead,
    int MinKeyBits,
    int MaxKeyBits)
{
    private const string Prefix = "http://opcfoundation.org/UA/SecurityPolicy#";
    private const string RsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
    private const string RsaSha1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
    private const string RsaPssSha256 = "http://opcfoundation.org/UA/security/rsa-pss-sha2-256";

    /// <summary>AES block size: symmetric padding aligns to it.</summary>
    public const int AesBlockSize = 16;

    public static UaSecurityAlgorithms Basic256Sha256 { get; } = new(
        Prefix + "Basic256Sha256", "Basic256Sha256", 3, false, HashAlgorithmName.SHA256, 32, 32, 32,
        HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, RsaSha256, RSAEncryptionPadding.OaepSHA1, 42, 2048, 4096);

    public static UaSecurityAlgorithms Aes128Sha256RsaOaep { get; } = new(
        Prefix + "Aes128_Sha256_RsaOaep", "Aes128_Sha256_RsaOaep", 2, false, HashAlgorithmName.SHA256, 32, 16, 32,
        HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, RsaSha256, RSAEncryptionPadding.OaepSHA1, 42, 2048, 4096);

    public static UaSecurityAlgorithms Aes256Sha256RsaPss { get; } = new(
        Prefix + "Aes256_Sha256_RsaPss", "Aes256_Sha256_RsaPss", 4, false, HashAlgorithmName.SHA256, 32, 32, 32,
        HashAlgorithmName.SHA256, RSASignaturePadding.Pss, RsaPssSha256, RSAEncryptionPadding.OaepSHA256, 66, 2048, 4096);

    public static UaSecurityAlgorithms Basic256 { get; } = new(
        Prefix + "Basic256", "Basic256", 1, true, HashAlgorithmName.SHA1, 24, 32, 32,
        HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1, RsaSha1, RSAEncryptionPadding.OaepSHA1, 42, 1024, 2048);

    public static UaSecurityAlgorithms Basic128Rsa15 { get; } = new(
        Prefix + "Basic128Rsa15", "Basic128Rsa15", 0, true, HashAlgorithmName.SHA1, 16, 16, 16,
        HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1, RsaSha1, RSAEncryptionPadding.Pkcs1, 11, 1024, 2048);

    /// <summary>Every RSA policy we implement, strongest first.</summary>
    public static IReadOnlyList<UaSecurityAlgorithms> All { get; } = [Aes256Sha256RsaPss, Basic256Sha256, Aes128Sha256RsaOaep, Basic256, Basic128Rsa15];

    /// <summary>HMAC size = symmetric signature size.</summary>
    public int SymmetricSignatureSize => Hash == HashAlgorithmName.SHA1 ? 20 : 32;

    public static UaSecurityAlgorithms? FromUri(string? uri)
    {
        foreach (UaSecurityAlgorithms suite in All)
        {
            if (string.Equals(suite.Uri, uri, StringComparison.Ordinal))
            {
                return suite;
            }
        }

        return null;
    }
}
