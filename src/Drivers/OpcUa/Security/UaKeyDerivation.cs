using System.Security.Cryptography;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// P_hash of TLS 1.0/1.2 (RFC 5246 §5), the key derivation of OPC 10000-6 §6.7.5 (1.05.03+: §6.7.6):
/// <c>A(0) = seed, A(i) = HMAC(secret, A(i−1)); output = HMAC(secret, A(1) ‖ seed) ‖ HMAC(secret, A(2) ‖ seed) ‖ …</c>.
/// The BCL has no public P_hash, so it is written here on top of <see cref="HMAC"/>.
/// </summary>
internal static class UaKeyDerivation
{
    public static void PHash(HashAlgorithmName hash, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> seed, Span<byte> output)
    {
        int hashSize = hash == HashAlgorithmName.SHA1 ? 20 : 32;
        Span<byte> a = stackalloc byte[hashSize];
        Span<byte> block = stackalloc byte[hashSize];
        byte[] aSeed = new byte[hashSize + seed.Length];
        Hmac(hash, secret, seed, a); // A(1)
        int written = 0;
        while (written < output.Length)
        {
            a.CopyTo(aSeed);
            seed.CopyTo(aSeed.AsSpan(hashSize));
            Hmac(hash, secret, aSeed, block);
            int take = Math.Min(hashSize, output.Length - written);
            block[..take].CopyTo(output[written..]);
            written += take;
            Hmac(hash, secret, a, a); // A(i+1)
        }
    }

    public static void Hmac(HashAlgorithmName hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (hash == HashAlgorithmName.SHA1)
        {
            HMACSHA1.HashData(key, data, destination);
        }
        else
        {
            HMACSHA256.HashData(key, data, destination);
        }
    }

    /// <summary>
    /// The keys of one direction of a token: <c>[SigningKey][EncryptingKey][InitializationVector]</c> cut from
    /// P_hash(secret, seed). Client keys: secret = ServerNonce, seed = ClientNonce; server keys the other way round.
    /// </summary>
    public static UaSymmetricKeys Derive(UaSecurityAlgorithms suite, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> seed)
    {
        int length = suite.SigningKeyLength + suite.EncryptionKeyLength + UaSecurityAlgorithms.AesBlockSize;
        byte[] material = new byte[length];
        PHash(suite.Hash, secret, seed, material);
        return new UaSymmetricKeys(
            suite.Hash,
            material[..suite.SigningKeyLength],
            material[suite.SigningKeyLength..(suite.SigningKeyLength + suite.EncryptionKeyLength)],
            material[(suite.SigningKeyLength + suite.EncryptionKeyLength)..]);
    }
}
