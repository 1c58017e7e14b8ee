using System.Security.Cryptography;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// Signing key, AES key and IV of one direction of a security token (OPC 10000-6 §6.7.5). The IV is fixed for the
/// token: CBC restarts with it for every chunk (notes §2.3). One <see cref="Aes"/> instance per direction, used
/// only by that direction's single caller (sends are serialised, receives come from one loop).
/// </summary>
internal sealed class UaSymmetricKeys : IDisposable
{
    private readonly Aes _aes;

    public UaSymmetricKeys(HashAlgorithmName hash, byte[] signingKey, byte[] encryptingKey, byte[] iv)
    {
        Hash = hash;
        SigningKey = signingKey;
        InitializationVector = iv;
        _aes = Aes.Create();
        _aes.Key = encryptingKey;
    }

    public HashAlgorithmName Hash { get; }

    public byte[] SigningKey { get; }

    public byte[] InitializationVector { get; }

    public void Sign(ReadOnlySpan<byte> data, Span<byte> signature) => UaKeyDerivation.Hmac(Hash, SigningKey, data, signature);

    /// <summary>Encrypts whole AES blocks in place (padding is the chunk's own, never PKCS#7).</summary>
    public void Encrypt(Span<byte> blocks) => _aes.EncryptCbc(blocks, InitializationVector, blocks, PaddingMode.None);

    public void Decrypt(Span<byte> blocks) => _aes.DecryptCbc(blocks, InitializationVector, blocks, PaddingMode.None);

    public void Dispose() => _aes.Dispose();
}

/// <summary>The keys of one token: the client's (what we send) and the server's (what we receive).</summary>
internal sealed record UaTokenKeys(UaSymmetricKeys Client, UaSymmetricKeys Server);
