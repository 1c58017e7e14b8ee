using System.Buffers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// The RSA security policies (Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss and, when allowed, the
/// deprecated Basic256/Basic128Rsa15) in modes Sign and SignAndEncrypt, differing only by their
/// <see cref="UaSecurityAlgorithms"/> row (OPC 10000-6 §6.7.2–6.7.5, OPC 10000-7).
/// </summary>
/// <remarks>
/// OPN (asymmetric, encrypted in Sign mode too, §6.7.2.5 / notes §2.5):
/// <code>
/// [hdr 12][asym security header][SeqNo 4][RequestId 4][body][PaddingSize 1][Padding n][ExtraPaddingSize 0|1][RSA signature]
///                               ^ securedFrom: RSA-encrypted block-wise from here with the receiver's public key
/// </code>
/// ExtraPaddingSize exists iff the encrypting (receiver's) key is larger than 2048 bits. MSG/CLO (symmetric):
/// <code>
/// [hdr 12][TokenId 4][SeqNo 4][RequestId 4][body]([PaddingSize 1][Padding n])?[HMAC]
///                    ^ securedFrom: AES-CBC from here (SignAndEncrypt only; Sign has no padding)
/// </code>
/// </remarks>
public sealed class UaSecurityPolicyRsa : IUaSecurityPolicy, IDisposable
{
    private readonly UaSecurityAlgorithms _suite;
    private readonly RSA _ownKey;
    private readonly RSA _serverKey;
    private readonly byte[] _ownCertificate;
    private readonly byte[] _ownThumbprint;
    private readonly byte[] _serverCertificate;
    private readonly int _ownKeyBytes;
    private readonly int _serverKeyBytes;
    private readonly Action? _serverCertificateCheck;

    /// <param name="suite">The policy's algorithms.</param>
    /// <param name="mode">Sign or SignAndEncrypt.</param>
    /// <param name="ownCertificate">Our application certificate (DER).</param>
    /// <param name="ownKey">Its private key (not owned: the certificate store keeps it).</param>
    /// <param name="serverCertificate">The server's leaf certificate (DER), already validated.</param>
    /// <param name="serverCertificateCheck">
    /// Validates the server certificate again (trust list, validity); run before every OpenSecureChannel, the first,
    /// each renewal and each channel opened for a surviving session (<see cref="CheckServerCertificate"/>). Null: no re-check.
    /// </param>
    public UaSecurityPolicyRsa(UaSecurityAlgorithms suite, UaMessageSecurityMode mode, byte[] ownCertificate, RSA ownKey, byte[] serverCertificate, Action? serverCertificateCheck = null)
    {
        if (mode is not (UaMessageSecurityMode.Sign or UaMessageSecurityMode.SignAndEncrypt))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "an RSA policy needs Sign or SignAndEncrypt");
        }

        _suite = suite;
        SecurityMode = mode;
        _ownCertificate = ownCertificate;
        _ownKey = ownKey;
        _serverCertificate = serverCertificate;
        _ownThumbprint = SHA1.HashData(ownCertificate);
        ReceiverCertificateThumbprint = SHA1.HashData(serverCertificate);
        _serverCertificateCheck = serverCertificateCheck;
        try
        {
            using X509Certificate2 server = X509CertificateLoader.LoadCertificate(serverCertificate);
            _serverKey = server.GetRSAPublicKey() ?? throw new UaCertificateException(new UaStatusCode(UaStatusCodes.BadCertificateInvalid), "the server certificate has no RSA key");
        }
        catch (CryptographicException ex)
        {
            throw new UaCertificateException(new UaStatusCode(UaStatusCodes.BadCertificateInvalid), "the server's certificate is malformed: " + ex.Message, ex);
        }

        _ownKeyBytes = ownKey.KeySize / 8;
        _serverKeyBytes = _serverKey.KeySize / 8;
        CheckKeySize(ownKey.KeySize, "our application certificate");
        CheckKeySize(_serverKey.KeySize, "the server certificate");
    }

    public string PolicyUri => _suite.Uri;

    public UaSecurityAlgorithms Algorithms => _suite;

    public UaMessageSecurityMode SecurityMode { get; }

    public int NonceLength => _suite.NonceLength;

    public byte[]? SenderCertificate => _ownCertificate;

    public byte[]? ReceiverCertificateThumbprint { get; }

    private bool Encrypts => SecurityMode == UaMessageSecurityMode.SignAndEncrypt;

    public int GetMaxBodySize(int chunkSize, int headerSize, bool asymmetric)
    {
        // headerSize includes the 8-byte sequence header, which is secured with the body.
        int securedFrom = headerSize - 8;
        if (asymmetric)
        {
            int plainBlock = _serverKeyBytes - _suite.AsymmetricEncryptionOverhead;
            int blocks = (chunkSize - securedFrom) / _serverKeyBytes;
            return (blocks * plainBlock) - 8 - _ownKeyBytes - 1 - (_serverKeyBytes > 256 ? 1 : 0);
        }

        if (!Encrypts)
        {
            return chunkSize - headerSize - _suite.SymmetricSignatureSize;
        }

        int encrypted = (chunkSize - securedFrom) / UaSecurityAlgorithms.AesBlockSize * UaSecurityAlgorithms.AesBlockSize;
        return encrypted - 8 - 1 - _suite.SymmetricSignatureSize;
    }

    public int Protect(Span<byte> chunk, int plainLength, int securedFrom, bool asymmetric, object? keys) =>
        asymmetric ? ProtectAsymmetric(chunk, plainLength, securedFrom) : ProtectSymmetric(chunk, plainLength, securedFrom, Keys(keys).Client);

    public int Unprotect(Span<byte> chunk, int securedFrom, bool asymmetric, object? keys) =>
        asymmetric ? UnprotectAsymmetric(chunk, securedFrom) : UnprotectSymmetric(chunk, securedFrom, Keys(keys).Server);

    public void CheckServerCertificate() => _serverCertificateCheck?.Invoke();

    public void CheckAsymmetricHeader(string? policyUri, ReadOnlySpan<byte> senderCertificate, ReadOnlySpan<byte> receiverThumbprint)
    {
        if (!string.Equals(policyUri, _suite.Uri, StringComparison.Ordinal))
        {
            throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadSecurityPolicyRejected), $"server answered with security policy '{policyUri}', expected {_suite.Name}");
        }

        // The sender certificate may carry the chain after the leaf: compare the leaf only.
        if (senderCertificate.Length < _serverCertificate.Length || !senderCertificate[.._serverCertificate.Length].SequenceEqual(_serverCertificate))
        {
            throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadCertificateInvalid), "the server signed OpenSecureChannel with another certificate than its endpoint's");
        }

        if (!receiverThumbprint.SequenceEqual(_ownThumbprint))
        {
            throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadCertificateInvalid), "the server encrypted OpenSecureChannel for another certificate than ours");
        }
    }

    public object? DeriveKeys(ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> serverNonce)
    {
        if (serverNonce.Length != _suite.NonceLength)
        {
            throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadNonceInvalid), $"server nonce of {serverNonce.Length} bytes, {_suite.Name} needs {_suite.NonceLength}");
        }

        return new UaTokenKeys(
            UaKeyDerivation.Derive(_suite, serverNonce, clientNonce),
            UaKeyDerivation.Derive(_suite, clientNonce, serverNonce));
    }

    public UaSignatureData? CreateClientSignature(ReadOnlySpan<byte> serverCertificate, ReadOnlySpan<byte> serverNonce)
    {
        byte[] data = Concat(_serverCertificate, serverNonce);
        return new UaSignatureData(_suite.AsymmetricSignatureUri, _ownKey.SignData(data, _suite.AsymmetricSignatureHash, _suite.AsymmetricSignaturePadding));
    }

    public void VerifyServerSignature(UaSignatureData? signature, ReadOnlySpan<byte> clientCertificate, ReadOnlySpan<byte> clientNonce)
    {
        byte[] data = Concat(clientCertificate, clientNonce);
        if (signature?.Signature is not { } bytes || !_serverKey.VerifyData(data, bytes, _suite.AsymmetricSignatureHash, _suite.AsymmetricSignaturePadding))
        {
            throw new UaServiceException(new UaStatusCode(UaStatusCodes.BadApplicationSignatureInvalid), "the server's CreateSession signature does not verify with its certificate");
        }
    }

    public void Dispose() => _serverKey.Dispose();

    private int ProtectSymmetric(Span<byte> chunk, int plainLength, int securedFrom, UaSymmetricKeys keys)
    {
        int signatureSize = _suite.SymmetricSignatureSize;
        int end = plainLength;
        if (Encrypts)
        {
            // PaddingSize byte + n bytes of value n so that the encrypted part is whole AES blocks (§6.7.2.5).
            int padding = (UaSecurityAlgorithms.AesBlockSize - ((plainLength - securedFrom + 1 + signatureSize) % UaSecurityAlgorithms.AesBlockSize)) % UaSecurityAlgorithms.AesBlockSize;
            chunk.Slice(end, padding + 1).Fill((byte)padding);
            end += padding + 1;
        }

        int total = end + signatureSize;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(chunk[4..], (uint)total);
        keys.Sign(chunk[..end], chunk.Slice(end, signatureSize));
        if (Encrypts)
        {
            keys.Encrypt(chunk[securedFrom..total]);
        }

        return total;
    }

    private int UnprotectSymmetric(Span<byte> chunk, int securedFrom, UaSymmetricKeys keys)
    {
        int signatureSize = _suite.SymmetricSignatureSize;
        if (Encrypts)
        {
            if ((chunk.Length - securedFrom) % UaSecurityAlgorithms.AesBlockSize != 0)
            {
                ThrowSecurityChecksFailed($"encrypted part of {chunk.Length - securedFrom} bytes is not whole AES blocks");
            }

            keys.Decrypt(chunk[securedFrom..]);
        }

        int signed = chunk.Length - signatureSize;
        if (signed < securedFrom + 8)
        {
            ThrowSecurityChecksFailed($"chunk of {chunk.Length} bytes is too short for its signature");
        }

        Span<byte> expected = stackalloc byte[signatureSize];
        keys.Sign(chunk[..signed], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, chunk[signed..]))
        {
            ThrowSecurityChecksFailed("the chunk's signature does not verify (tampered or wrong keys)");
        }

        return Encrypts ? StripPadding(chunk, securedFrom, signed, extra: false) : signed;
    }

    private int ProtectAsymmetric(Span<byte> chunk, int plainLength, int securedFrom)
    {
        int plainBlock = _serverKeyBytes - _suite.AsymmetricEncryptionOverhead;
        bool extra = _serverKeyBytes > 256;
        int overhead = 1 + (extra ? 1 : 0);
        int signatureSize = _ownKeyBytes;
        int padding = (plainBlock - ((plainLength - securedFrom + overhead + signatureSize) % plainBlock)) % plainBlock;
        int end = plainLength;
        chunk.Slice(end, padding + 1).Fill((byte)padding);
        end += padding + 1;
        if (extra)
        {
            chunk[end++] = (byte)(padding >> 8);
        }

        int plainSecured = end + signatureSize - securedFrom;
        int blocks = plainSecured / plainBlock;
        int total = securedFrom + (blocks * _serverKeyBytes);
        if (total > chunk.Length)
        {
            throw new UaServiceException(new UaStatusCode(UaStatusCodes.BadRequestTooLarge), "OpenSecureChannel does not fit in one chunk");
        }

        // MessageSize is the final, encrypted size and is part of what is signed (notes §7.2 pitfall 3).
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(chunk[4..], (uint)total);
        if (!_ownKey.TrySignData(chunk[..end], chunk.Slice(end, signatureSize), _suite.AsymmetricSignatureHash, _suite.AsymmetricSignaturePadding, out int signed) || signed != signatureSize)
        {
            throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadSecurityChecksFailed), "signing OpenSecureChannel failed");
        }

        byte[] plain = ArrayPool<byte>.Shared.Rent(plainSecured);
        try
        {
            chunk.Slice(securedFrom, plainSecured).CopyTo(plain);
            for (int i = 0; i < blocks; i++)
            {
                Span<byte> destination = chunk.Slice(securedFrom + (i * _serverKeyBytes), _serverKeyBytes);
                if (!_serverKey.TryEncrypt(plain.AsSpan(i * plainBlock, plainBlock), destination, _suite.AsymmetricEncryptionPadding, out int written) || written != _serverKeyBytes)
                {
                    throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadSecurityChecksFailed), "encrypting OpenSecureChannel failed");
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain.AsSpan(0, plainSecured));
            ArrayPool<byte>.Shared.Return(plain);
        }

        return total;
    }

    private int UnprotectAsymmetric(Span<byte> chunk, int securedFrom)
    {
        int cipherBlock = _ownKeyBytes;
        int cipherLength = chunk.Length - securedFrom;
        if (cipherLength <= 0 || cipherLength % cipherBlock != 0)
        {
            ThrowSecurityChecksFailed($"encrypted OpenSecureChannel part of {cipherLength} bytes is not whole {cipherBlock}-byte RSA blocks");
        }

        // Decrypted blocks are shorter: they are packed from securedFrom on, never overtaking the next cipher block.
        int plainEnd = securedFrom;
        byte[] block = new byte[cipherBlock];
        for (int offset = securedFrom; offset < chunk.Length; offset += cipherBlock)
        {
            chunk.Slice(offset, cipherBlock).CopyTo(block);
            int written = 0;
            bool ok;
            try
            {
                ok = _ownKey.TryDecrypt(block, chunk[plainEnd..], _suite.AsymmetricEncryptionPadding, out written);
            }
            catch (CryptographicException)
            {
                ok = false;
            }

            if (!ok)
            {
                ThrowSecurityChecksFailed("OpenSecureChannel response does not decrypt with our private key");
            }

            plainEnd += written;
        }

        int signatureSize = _serverKeyBytes;
        int signed = plainEnd - signatureSize;
        if (signed < securedFrom + 8 + 1)
        {
            ThrowSecurityChecksFailed("OpenSecureChannel response too short for its signature");
        }

        if (!_serverKey.VerifyData(chunk[..signed], chunk.Slice(signed, signatureSize), _suite.AsymmetricSignatureHash, _suite.AsymmetricSignaturePadding))
        {
            ThrowSecurityChecksFailed("OpenSecureChannel response signature does not verify with the server certificate");
        }

        // ExtraPaddingSize is there iff OUR key (the one it was encrypted for) is larger than 2048 bits.
        return StripPadding(chunk, securedFrom, signed, extra: _ownKeyBytes > 256);
    }

    /// <summary>Removes PaddingSize (+ ExtraPaddingSize) and the padding in front of the signature; returns the body end.</summary>
    private static int StripPadding(Span<byte> chunk, int securedFrom, int signed, bool extra)
    {
        int padding = extra ? (chunk[signed - 1] << 8) | chunk[signed - 2] : chunk[signed - 1];
        int sizeBytes = extra ? 2 : 1;
        int bodyEnd = signed - sizeBytes - padding;
        if (bodyEnd < securedFrom + 8)
        {
            ThrowSecurityChecksFailed($"padding of {padding} bytes is longer than the chunk");
        }

        byte fill = (byte)padding;
        foreach (byte b in chunk[bodyEnd..(signed - (extra ? 1 : 0))])
        {
            if (b != fill)
            {
                ThrowSecurityChecksFailed("padding bytes do not match the padding size");
            }
        }

        return bodyEnd;
    }

    private void CheckKeySize(int bits, string whose)
    {
        if (bits < _suite.MinKeyBits || bits > _suite.MaxKeyBits)
        {
            throw new UaCertificateException(new UaStatusCode(UaStatusCodes.BadCertificatePolicyCheckFailed), $"{whose} has a {bits}-bit key; {_suite.Name} allows {_suite.MinKeyBits}–{_suite.MaxKeyBits}");
        }
    }

    private static UaTokenKeys Keys(object? keys) =>
        keys as UaTokenKeys ?? throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadSecureChannelTokenUnknown), "no keys for this security token");

    private static byte[] Concat(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        byte[] data = new byte[first.Length + second.Length];
        first.CopyTo(data);
        second.CopyTo(data.AsSpan(first.Length));
        return data;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowSecurityChecksFailed(string reason) =>
        throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadSecurityChecksFailed), reason);
}
