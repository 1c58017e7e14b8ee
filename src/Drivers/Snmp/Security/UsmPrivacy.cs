using System.Buffers.Binary;
using System.Security.Cryptography;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// USM privacy.
/// AES-128 CFB-128 (RFC 3826 §3.1): key = Kul_priv[0..15]; IV = msgAuthoritativeEngineBoots (4, BE) ‖
/// msgAuthoritativeEngineTime (4, BE) ‖ msgPrivacyParameters (8-octet salt), boots and time as written in this very
/// message; no padding, ciphertext as long as the plaintext. .NET's <c>EncryptCfb</c> needs whole blocks and defaults
/// to 8-bit feedback (snmp-notes §3), so CFB-128 is built here from ECB: keystream block = E(previous ciphertext block).
/// CBC-DES (RFC 3414 §8.1.1): key = Kul[0..7], IV = pre-IV (Kul[8..15]) XOR salt (boots ‖ counter); padded to 8;
/// a ciphertext that is not a multiple of 8 is a decryption error; padding is never stripped (the ScopedPDU's length
/// bounds it).
/// </summary>
internal static class UsmPrivacy
{
    public const int SaltLength = 8;

    /// <summary>Ciphertext length for <paramref name="plaintextLength"/> octets.</summary>
    public static int CipherLength(SnmpPrivProtocol protocol, int plaintextLength) =>
        protocol == SnmpPrivProtocol.Des ? (plaintextLength + 7) / 8 * 8 : plaintextLength;

    public static void Encrypt(SnmpPrivProtocol protocol, ReadOnlySpan<byte> privKey, int boots, int time, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        switch (protocol)
        {
            case SnmpPrivProtocol.Aes128:
                AesCfb(privKey[..16], AesIv(boots, time, salt), plaintext, ciphertext, encrypt: true);
                break;
            case SnmpPrivProtocol.Des:
                int length = CipherLength(protocol, plaintext.Length);
                byte[] buffer = new byte[length];
                plaintext.CopyTo(buffer);
                using (var des = DES.Create())
                {
                    des.Key = privKey[..8].ToArray();
                    des.EncryptCbc(buffer, DesIv(privKey, salt), buffer.AsSpan(), PaddingMode.None);
                }

                buffer.CopyTo(ciphertext);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(protocol));
        }
    }

    /// <summary>Decrypts; false when the ciphertext cannot be this protocol's (a DES length not a multiple of 8).</summary>
    public static bool TryDecrypt(SnmpPrivProtocol protocol, ReadOnlySpan<byte> privKey, int boots, int time, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        if (salt.Length != SaltLength)
        {
            return false;
        }

        switch (protocol)
        {
            case SnmpPrivProtocol.Aes128:
                AesCfb(privKey[..16], AesIv(boots, time, salt), ciphertext, plaintext, encrypt: false);
                return true;
            case SnmpPrivProtocol.Des:
                if (ciphertext.Length % 8 != 0)
                {
                    return false;
                }

                using (var des = DES.Create())
                {
                    des.Key = privKey[..8].ToArray();
                    des.DecryptCbc(ciphertext, DesIv(privKey, salt), plaintext, PaddingMode.None);
                }

                return true;
            default:
                throw new ArgumentOutOfRangeException(nameof(protocol));
        }
    }

    /// <summary>CFB-128: C_i = P_i XOR E(C_{i-1}), C_0 = IV; the last block may be short.</summary>
    internal static void AesCfb(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output, bool encrypt)
    {
        using var aes = Aes.Create();
        aes.Key = key.ToArray();
        Span<byte> feedback = stackalloc byte[16];
        Span<byte> keystream = stackalloc byte[16];
        iv.CopyTo(feedback);
        for (int offset = 0; offset < input.Length; offset += 16)
        {
            aes.EncryptEcb(feedback, keystream, PaddingMode.None);
            int n = Math.Min(16, input.Length - offset);
            ReadOnlySpan<byte> inBlock = input.Slice(offset, n);
            Span<byte> outBlock = output.Slice(offset, n);
            for (int i = 0; i < n; i++)
            {
                byte c = encrypt ? (byte)(inBlock[i] ^ keystream[i]) : inBlock[i];
                outBlock[i] = (byte)(inBlock[i] ^ keystream[i]);
                feedback[i] = c;
            }
        }

        CryptographicOperations.ZeroMemory(keystream);
    }

    private static byte[] AesIv(int boots, int time, ReadOnlySpan<byte> salt)
    {
        var iv = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(iv, boots);
        BinaryPrimitives.WriteInt32BigEndian(iv.AsSpan(4), time);
        salt.CopyTo(iv.AsSpan(8));
        return iv;
    }

    private static byte[] DesIv(ReadOnlySpan<byte> privKey, ReadOnlySpan<byte> salt)
    {
        var iv = new byte[8];
        for (int i = 0; i < 8; i++)
        {
            iv[i] = (byte)(privKey[8 + i] ^ salt[i]);
        }

        return iv;
    }
}
