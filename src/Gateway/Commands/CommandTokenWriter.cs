using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace SmartCity.Edge.Gateway.Commands;

/// <summary>
/// Makes signed command tokens (compact JWS, <c>kid</c> in the header): the standard claims every command carries
/// (<c>cmd</c>, <c>sub</c>, <c>iat</c>, <c>exp</c>, a random <c>jti</c>) plus the command's own. Used by
/// <c>smartcity-edge command …</c>; a desk may use any JWS library (docs/alarms.md shows PyJWT).
/// </summary>
internal static class CommandTokenWriter
{
    public static string Sign(CommandSigningKey key, string command, string subject, DateTimeOffset issuedAt, TimeSpan lifetime, IReadOnlyDictionary<string, object> claims)
    {
        var payload = new Dictionary<string, object>(claims, StringComparer.Ordinal)
        {
            ["cmd"] = command,
            ["sub"] = subject,
            ["iat"] = issuedAt.ToUnixTimeSeconds(),
            ["exp"] = (issuedAt + lifetime).ToUnixTimeSeconds(),

            // 128 random bits: unique without coordination between desks.
            ["jti"] = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)),
        };
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = payload,
            SigningCredentials = new SigningCredentials(key.SecurityKey, key.Algorithm.ToString()),
        });
    }
}
