using System.Security.Cryptography;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// HMAC over the whole message with msgAuthenticationParameters zeroed (RFC 3414 §6.3.1, §7.3.1; RFC 7860 §4.2),
/// truncated to the protocol's MAC length: MD5 12, SHA-1 12, SHA-224 16, SHA-256 24, SHA-384 32, SHA-512 48 octets.
/// Verification compares in constant time.
/// </summary>
internal static class UsmAuthentication
{
    public static int MacLength(SnmpAuthProtocol protocol) => protocol switch
    {
        SnmpAuthProtocol.None => 0,
        SnmpAuthProtocol.Md5 or SnmpAuthProtocol.Sha1 => 12,
        SnmpAuthProtocol.Sha224 => 16,
        SnmpAuthProtocol.Sha256 => 24,
        SnmpAuthProtocol.Sha384 => 32,
        SnmpAuthProtocol.Sha512 => 48,
        _ => throw new ArgumentOutOfRangeException(nameof(protocol)),
    };

    public static HashAlgorithmName HashName(SnmpAuthProtocol protocol) => protocol switch
    {
        SnmpAuthProtocol.Md5 => HashAlgorithmName.MD5,
        SnmpAuthProtocol.Sha1 => HashAlgorithmName.SHA1,
        SnmpAuthProtocol.Sha224 => new HashAlgorithmName("SHA224"),
        SnmpAuthProtocol.Sha256 => HashAlgorithmName.SHA256,
        SnmpAuthProtocol.Sha384 => HashAlgorithmName.SHA384,
        SnmpAuthProtocol.Sha512 => HashAlgorithmName.SHA512,
        _ => throw new ArgumentOutOfRangeException(nameof(protocol)),
    };

    /// <summary>Digest length of the protocol's hash = its localized key length.</summary>
    public static int KeyLength(SnmpAuthProtocol protocol) => protocol switch
    {
        SnmpAuthProtocol.Md5 => 16,
        SnmpAuthProtocol.Sha1 => 20,
        SnmpAuthProtocol.Sha224 => 28,
        SnmpAuthProtocol.Sha256 => 32,
        SnmpAuthProtocol.Sha384 => 48,
        SnmpAuthProtocol.Sha512 => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(protocol)),
    };

    /// <summary>Computes the MAC of <paramref name="message"/> (whose MAC field is zero) into <paramref name="mac"/> (MAC length).</summary>
    public static void Sign(SnmpAuthProtocol protocol, ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, Span<byte> mac)
    {
        Span<byte> full = stackalloc byte[64];
        int written = protocol switch
        {
            SnmpAuthProtocol.Md5 => HMACMD5.HashData(key, message, full),
            SnmpAuthProtocol.Sha1 => HMACSHA1.HashData(key, message, full),
            SnmpAuthProtocol.Sha224 => Sha224.Hmac(key, message, full),
            SnmpAuthProtocol.Sha256 => HMACSHA256.HashData(key, message, full),
            SnmpAuthProtocol.Sha384 => HMACSHA384.HashData(key, message, full),
            SnmpAuthProtocol.Sha512 => HMACSHA512.HashData(key, message, full),
            _ => throw new ArgumentOutOfRangeException(nameof(protocol)),
        };
        full[..mac.Length].CopyTo(mac);
        CryptographicOperations.ZeroMemory(full[..written]);
    }

    /// <summary>
    /// True when <paramref name="message"/> carries the right MAC at <paramref name="macOffset"/>. Works on a copy with
    /// the MAC zeroed, so the received bytes stay as they are.
    /// </summary>
    public static bool Verify(SnmpAuthProtocol protocol, ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, int macOffset, int macLength)
    {
        if (macLength != MacLength(protocol) || macOffset < 0 || macOffset + macLength > message.Length)
        {
            return false;
        }

        byte[] copy = System.Buffers.ArrayPool<byte>.Shared.Rent(message.Length);
        try
        {
            Span<byte> zeroed = copy.AsSpan(0, message.Length);
            message.CopyTo(zeroed);
            zeroed.Slice(macOffset, macLength).Clear();
            Span<byte> expected = stackalloc byte[48];
            Sign(protocol, key, zeroed, expected[..macLength]);
            return CryptographicOperations.FixedTimeEquals(expected[..macLength], message.Slice(macOffset, macLength));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(copy);
        }
    }
}
