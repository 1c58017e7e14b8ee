using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// How the gateway names a certificate to a technician and compares trust: the SHA-256 of the whole DER certificate,
/// as 64 upper-case hex digits. (OPC UA's own ReceiverCertificateThumbprint on the wire stays SHA-1, OPC 10000-6
/// §6.7.2.3; that is protocol, not trust.) SHA-1 thumbprints of older versions are still recognised where a
/// technician may type one, so nothing he wrote down stops working.
/// </summary>
public static class UaCertificateFingerprint
{
    /// <summary>Hex digits of a SHA-256 fingerprint.</summary>
    public const int Length = 64;

    /// <summary>Hex digits of a legacy SHA-1 thumbprint.</summary>
    public const int LegacyLength = 40;

    public static string Of(X509Certificate2 certificate) => Of(certificate.RawData);

    public static string Of(ReadOnlySpan<byte> der) => Convert.ToHexString(SHA256.HashData(der));

    /// <summary>The SHA-1 thumbprint earlier versions printed and put into file names.</summary>
    public static string LegacyOf(X509Certificate2 certificate) => Convert.ToHexString(SHA1.HashData(certificate.RawData));

    /// <summary>True when <paramref name="text"/> is only hex digits (what <c>opcua trust</c> accepts).</summary>
    public static bool IsHex(string text) => text.Length > 0 && text.All(char.IsAsciiHexDigit);
}
