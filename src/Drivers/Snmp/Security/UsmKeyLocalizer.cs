using System.Security.Cryptography;
using System.Text;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// Password to key and key localization (RFC 3414 §2.6, App. A.2; RFC 7860 §4.1): Ku = H(password repeated to exactly
/// 1 048 576 octets), Kul = H(Ku ‖ snmpEngineID ‖ Ku). Privacy keys use the user's auth hash on the priv password
/// (AES-128 takes Kul[0..15], DES Kul[0..7] and the pre-IV Kul[8..15]). Ku costs a megabyte of hashing: callers cache
/// it per (password, protocol) and Kul per engine.
/// </summary>
internal static class UsmKeyLocalizer
{
    private const int ExpandedLength = 1_048_576;

    /// <summary>Ku for <paramref name="password"/> (at least 8 characters is the USM rule, checked by configuration).</summary>
    public static byte[] PasswordToKey(SnmpAuthProtocol protocol, string password)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(password);
        if (bytes.Length == 0)
        {
            throw new ArgumentException("an empty password gives no key", nameof(password));
        }

        // 64 octets at a time, as the RFC's reference code: the password repeated without gaps across chunk ends.
        Span<byte> chunk = stackalloc byte[64];
        int passwordIndex = 0;
        var digest = new byte[UsmAuthentication.KeyLength(protocol)];
        if (protocol == SnmpAuthProtocol.Sha224)
        {
            var sha = new Sha224();
            for (int count = 0; count < ExpandedLength; count += 64)
            {
                Fill(chunk, bytes, ref passwordIndex);
                sha.Append(chunk);
            }

            sha.GetHashAndReset(digest);
        }
        else
        {
            using var hash = IncrementalHash.CreateHash(UsmAuthentication.HashName(protocol));
            for (int count = 0; count < ExpandedLength; count += 64)
            {
                Fill(chunk, bytes, ref passwordIndex);
                hash.AppendData(chunk);
            }

            hash.GetHashAndReset(digest);
        }

        CryptographicOperations.ZeroMemory(bytes);
        CryptographicOperations.ZeroMemory(chunk);
        return digest;
    }

    /// <summary>Kul = H(Ku ‖ engineID ‖ Ku).</summary>
    public static byte[] Localize(SnmpAuthProtocol protocol, ReadOnlySpan<byte> ku, ReadOnlySpan<byte> engineId)
    {
        var localized = new byte[UsmAuthentication.KeyLength(protocol)];
        if (protocol == SnmpAuthProtocol.Sha224)
        {
            var sha = new Sha224();
            sha.Append(ku);
            sha.Append(engineId);
            sha.Append(ku);
            sha.GetHashAndReset(localized);
            return localized;
        }

        using var hash = IncrementalHash.CreateHash(UsmAuthentication.HashName(protocol));
        hash.AppendData(ku);
        hash.AppendData(engineId);
        hash.AppendData(ku);
        hash.GetHashAndReset(localized);
        return localized;
    }

    private static void Fill(Span<byte> chunk, byte[] password, ref int index)
    {
        for (int i = 0; i < chunk.Length; i++)
        {
            chunk[i] = password[index++];
            if (index == password.Length)
            {
                index = 0;
            }
        }
    }
}
