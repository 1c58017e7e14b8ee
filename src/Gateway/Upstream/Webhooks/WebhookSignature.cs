using System.Security.Cryptography;
using System.Text;

namespace SmartCity.Edge.Gateway.Upstream.Webhooks;

/// <summary>
/// <c>X-SmartCity-Signature: sha256=&lt;hex&gt;</c>: HMAC-SHA256 (RFC 2104) of the exact request body bytes with the
/// webhook's secret, lower-case hex. Receivers recompute it over the raw body and compare in constant time.
/// </summary>
internal static class WebhookSignature
{
    public const string HeaderName = "X-SmartCity-Signature";
    public const string Prefix = "sha256=";

    public static string Compute(string secret, ReadOnlySpan<byte> body)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, mac);
        return Prefix + Convert.ToHexStringLower(mac);
    }
}
