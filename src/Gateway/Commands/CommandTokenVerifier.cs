using System.Buffers.Text;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Commands;

/// <summary>
/// Establishes who sent a command: the payload is a compact JWS (RFC 7515 §7.1, <c>header.payload.signature</c> in
/// base64url) signed by a key of <c>commands.keys</c>, named by the header's <c>kid</c>, with that key's algorithm,
/// within its lifetime. The signature itself is checked by Microsoft.IdentityModel (ES256 with the raw r‖s signature
/// of RFC 7518 §3.4, HS256); the policy around it is ours, so every refusal says precisely why.
/// </summary>
/// <remarks>
/// Order of the checks: size, then shape, then the header (<c>alg</c>, <c>kid</c>) — all before any cryptography —,
/// then the signature, and only then the claims, which an attacker can no longer choose. Lifetime: <c>exp</c> and
/// <c>iat</c> are required (RFC 7519 §4.1.4, §4.1.6) and compared with the gateway's clock give or take
/// <c>clock_skew</c>; <c>exp - iat</c> may not exceed <c>max_lifetime</c>, so a token cannot be made to live long.
/// With <c>allow_unsigned: true</c> a payload that is a JSON object is taken as an unsigned command (today's format).
/// </remarks>
internal sealed class CommandTokenVerifier
{
    /// <summary>An ack token is ~400 bytes, with a long comment ~2 KB; anything past this is not a command.</summary>
    public const int MaxTokenBytes = 8 * 1024;

    /// <summary>The claims are a flat object: nesting beyond this is refused by the JSON reader, not recursed into.</summary>
    private const int MaxJsonDepth = 8;

    private const int MaxSubject = 256;
    private const int MaxTokenId = 128;

    private readonly JsonWebTokenHandler _handler = new() { MaximumTokenSizeInBytes = MaxTokenBytes };

    /// <summary>The library's key object per configured key, made once (reload makes new <see cref="CommandKey"/>s).</summary>
    private readonly ConditionalWeakTable<CommandKey, SecurityKey> _securityKeys = new();

    /// <summary>
    /// Verifies <paramref name="payload"/>, received on the topic of <paramref name="topicCommand"/>. Returns the
    /// command, or null and <paramref name="refusal"/>.
    /// </summary>
    public async Task<(VerifiedCommand? Command, CommandRefusal? Refusal)> VerifyAsync(ReadOnlyMemory<byte> payload, string topicCommand, CommandsConfiguration configuration, DateTimeOffset now)
    {
        Inspection inspection = Inspect(payload.Span, topicCommand, configuration, now);
        if (inspection.Done is { } done)
        {
            return done;
        }

        if (await VerifySignatureAsync(inspection.Token!, inspection.Key!).ConfigureAwait(false) is { } failure)
        {
            return failure is SecurityTokenMalformedException or ArgumentException
                ? Refuse(CommandRefusalCode.Claims, "the token's payload is not valid JWT claims (a registered claim such as exp or iat of the wrong type?)")
                : Refuse(CommandRefusalCode.Signature, $"bad signature: the token was not signed by key '{inspection.Key!.Id}' ({inspection.Key.Algorithm})");
        }

        // Only now, signed by a known key, are the claims read.
        if (!TryDecodeJson(Encoding.ASCII.GetBytes(inspection.Token!).AsSpan()[inspection.Body], out JsonElement claims) || claims.ValueKind != JsonValueKind.Object)
        {
            return Refuse(CommandRefusalCode.Claims, "the token's payload is not a JSON object of claims");
        }

        return Signed(claims, inspection.Key!, topicCommand, configuration, now);
    }

    /// <summary>Everything before the signature: a refusal or unsigned command (<see cref="Inspection.Done"/>), or the token and its key.</summary>
    private static Inspection Inspect(ReadOnlySpan<byte> payload, string topicCommand, CommandsConfiguration configuration, DateTimeOffset now)
    {
        if (configuration.Keys.Count == 0 && !configuration.AllowUnsigned)
        {
            return Refuse(CommandRefusalCode.NoKeys, "no command keys are configured, so no command can be verified: add a key under commands.keys " +
                "(ES256: public_key_file, or HS256: secret) and sign commands with it (smartcity-edge command ack …; docs/alarms.md, \"Signed commands\")");
        }

        if (payload.Length > MaxTokenBytes)
        {
            return Refuse(CommandRefusalCode.TooLarge, $"command of {payload.Length} bytes refused: a command token is at most {MaxTokenBytes} bytes");
        }

        ReadOnlySpan<byte> bytes = payload.Trim(" \t\r\n"u8);
        if (bytes.Length > 0 && bytes[0] == (byte)'{')
        {
            return configuration.AllowUnsigned
                ? Unsigned(bytes, topicCommand, now)
                : Refuse(CommandRefusalCode.Unsigned, "unsigned command refused: commands must be signed tokens (compact JWS) made with a key of commands.keys, " +
                    "e.g. by `smartcity-edge command ack ALARM --occurrence SEQ --key FILE --kid ID --by NAME`");
        }

        if (!TrySplit(bytes, out Range header, out Range body, out Range signature))
        {
            return Refuse(CommandRefusalCode.Malformed, "not a compact JWS: expected three base64url parts header.payload.signature");
        }

        if (!TryDecodeJson(bytes[header], out JsonElement headerJson) || headerJson.ValueKind != JsonValueKind.Object)
        {
            return Refuse(CommandRefusalCode.Malformed, "the token's header is not a base64url JSON object");
        }

        string? alg = headerJson.TryGetProperty("alg", out JsonElement algElement) && algElement.ValueKind == JsonValueKind.String ? algElement.GetString() : null;
        if (alg is null)
        {
            return Refuse(CommandRefusalCode.Algorithm, "the token's header names no algorithm (alg)");
        }

        if (alg.Equals("none", StringComparison.OrdinalIgnoreCase) || bytes[signature].IsEmpty)
        {
            return Refuse(CommandRefusalCode.Algorithm, "unsigned token (alg none or no signature) refused: sign with the key's algorithm (ES256 or HS256)");
        }

        if (configuration.Keys.Count == 0)
        {
            return Refuse(CommandRefusalCode.NoKeys, "signed command refused: commands.keys is empty (add the key that signs it; docs/alarms.md, \"Signed commands\")");
        }

        if (!headerJson.TryGetProperty("kid", out JsonElement kidElement) || kidElement.ValueKind != JsonValueKind.String || kidElement.GetString() is not { Length: > 0 } kid)
        {
            return Refuse(CommandRefusalCode.UnknownKey, "the token names no key: its header needs \"kid\", the id of a key in commands.keys");
        }

        if (configuration.FindKey(kid) is not { } key)
        {
            return Refuse(CommandRefusalCode.UnknownKey, $"unknown key {CommandText.Quote(kid)}: not in commands.keys (known: {string.Join(", ", configuration.Keys.Select(k => k.Id))})");
        }

        string expected = key.Algorithm.ToString();
        if (!string.Equals(alg, expected, StringComparison.Ordinal))
        {
            return Refuse(CommandRefusalCode.Algorithm, $"key '{key.Id}' verifies {expected} only; the token says {CommandText.Quote(alg)}");
        }

        return new Inspection(null, Encoding.ASCII.GetString(bytes), key, body); // ASCII: checked by TrySplit
    }

    private (VerifiedCommand?, CommandRefusal?) Signed(JsonElement claims, CommandKey key, string topicCommand, CommandsConfiguration configuration, DateTimeOffset now)
    {
        string? command = StringClaim(claims, "cmd", 32);
        string? subject = StringClaim(claims, "sub", MaxSubject);
        string? tokenId = StringClaim(claims, "jti", MaxTokenId);
        long? issuedAt = TimeClaim(claims, "iat");
        long? expires = TimeClaim(claims, "exp");
        string? missing = command is null ? "cmd (the command)"
            : subject is null ? "sub (the operator, shown as ack.by)"
            : tokenId is null ? "jti (a unique token id)"
            : issuedAt is null ? "iat (issued at, seconds since 1970)"
            : expires is null ? "exp (expiry, seconds since 1970)"
            : null;
        if (missing is not null)
        {
            return Refuse(CommandRefusalCode.Claims, $"the token lacks the claim {missing}, or it is of the wrong type or too long");
        }

        if (!string.Equals(command, topicCommand, StringComparison.Ordinal))
        {
            return Refuse(CommandRefusalCode.Claims, $"the token's cmd {CommandText.Quote(command!)} does not match its topic (commands/{topicCommand})");
        }

        DateTimeOffset issued = DateTimeOffset.FromUnixTimeSeconds(issuedAt!.Value);
        DateTimeOffset expiry = DateTimeOffset.FromUnixTimeSeconds(expires!.Value);
        TimeSpan skew = configuration.ClockSkew;
        if (expiry <= issued)
        {
            return Refuse(CommandRefusalCode.Claims, $"the token expires ({Time(expiry)}) before it was issued ({Time(issued)})");
        }

        if (expiry - issued > configuration.MaxLifetime)
        {
            return Refuse(CommandRefusalCode.Lifetime, $"the token lives {Duration(expiry - issued)} (exp - iat), longer than commands.max_lifetime {Duration(configuration.MaxLifetime)}: sign tokens that expire sooner");
        }

        if (now > expiry + skew)
        {
            // The gateway's clock is named: a Pi without a synchronised clock refuses every token, and this says why.
            return Refuse(CommandRefusalCode.Expired, $"the token expired at {Time(expiry)}; the gateway's clock says {Time(now)} (clock_skew {Duration(skew)}): " +
                "send a fresh token, or set the gateway's clock (timedatectl) if it is wrong");
        }

        if (issued > now + skew)
        {
            return Refuse(CommandRefusalCode.NotYetValid, $"the token was issued at {Time(issued)}, in the future: the gateway's clock says {Time(now)} (clock_skew {Duration(skew)}); " +
                "one of the two clocks is wrong (timedatectl)");
        }

        return (new VerifiedCommand(command!, subject!, claims, key, tokenId, expiry, tokenId), null);
    }

    /// <summary>Today's plain JSON command (<c>{"alarm":…,"by":…,"id":…}</c>), accepted only with <c>allow_unsigned: true</c>.</summary>
    private static (VerifiedCommand?, CommandRefusal?) Unsigned(ReadOnlySpan<byte> bytes, string topicCommand, DateTimeOffset now)
    {
        if (!TryParseJson(bytes, out JsonElement json) || json.ValueKind != JsonValueKind.Object)
        {
            return Refuse(CommandRefusalCode.Malformed, "command must be a JSON object such as {\"alarm\":\"smoke-zone1-high\",\"by\":\"desk-1\"}");
        }

        string? by = StringClaim(json, "by", MaxSubject);
        if (string.IsNullOrWhiteSpace(by))
        {
            return Refuse(CommandRefusalCode.Claims, "missing \"by\": who sends the command (recorded in the alarm message)");
        }

        string? id = json.TryGetProperty("id", out JsonElement idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : null;
        return (new VerifiedCommand(topicCommand, by, json, null, null, now, id is { Length: <= MaxTokenId } ? id : null), null);
    }

    /// <summary>Null when the signature verifies; else the library's reason (its exception, never thrown).</summary>
    private async Task<Exception?> VerifySignatureAsync(string token, CommandKey key)
    {
        SecurityKey securityKey = _securityKeys.GetValue(key, CreateSecurityKey);
        var parameters = new TokenValidationParameters
        {
            IssuerSigningKey = securityKey,
            TryAllIssuerSigningKeys = false,
            ValidAlgorithms = [key.Algorithm.ToString()],
            RequireSignedTokens = true,

            // Ours, with the gateway's TimeProvider and messages that name its clock (Signed above); no issuer or
            // audience in this protocol: the key is the issuer, the gateway the audience.
            ValidateLifetime = false,
            RequireExpirationTime = false,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateIssuerSigningKey = false,
        };

        TokenValidationResult result = await _handler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
        return result.IsValid ? null : result.Exception ?? new SecurityTokenInvalidSignatureException();
    }

    private static SecurityKey CreateSecurityKey(CommandKey key) => key.Algorithm switch
    {
        CommandKeyAlgorithm.ES256 => new ECDsaSecurityKey(ECDsa.Create(key.PublicKey!.Value)) { KeyId = key.Id },
        CommandKeyAlgorithm.HS256 => new SymmetricSecurityKey(key.Secret.ToArray()) { KeyId = key.Id },
        _ => throw new InvalidOperationException($"Unhandled command key algorithm {key.Algorithm}."),
    };

    /// <summary>Three non-empty base64url parts (the signature may be empty: that is <c>alg: none</c>, refused later with its reason).</summary>
    private static bool TrySplit(ReadOnlySpan<byte> token, out Range header, out Range body, out Range signature)
    {
        header = body = signature = default;
        int first = token.IndexOf((byte)'.');
        int second = first < 0 ? -1 : token[(first + 1)..].IndexOf((byte)'.');
        if (second < 0)
        {
            return false;
        }

        second += first + 1;
        header = ..first;
        body = (first + 1)..second;
        signature = (second + 1)..;
        return first > 0 && second > first + 1
            && IsBase64Url(token[header]) && IsBase64Url(token[body]) && IsBase64Url(token[signature]);
    }

    private static bool IsBase64Url(ReadOnlySpan<byte> part)
    {
        foreach (byte b in part)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_'))
            {
                return false;
            }
        }

        return part.Length % 4 != 1; // no base64 string has a length of 4n+1
    }

    private static bool TryDecodeJson(ReadOnlySpan<byte> base64Url, out JsonElement json)
    {
        json = default;
        byte[] decoded = new byte[Base64Url.GetMaxDecodedLength(base64Url.Length)];
        return Base64Url.DecodeFromUtf8(base64Url, decoded, out _, out int written) == System.Buffers.OperationStatus.Done
            && TryParseJson(decoded.AsSpan(0, written), out json);
    }

    private static bool TryParseJson(ReadOnlySpan<byte> utf8, out JsonElement json)
    {
        json = default;
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return false; // checked up front: reading a string of invalid UTF-8 would throw later
        }

        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = MaxJsonDepth });
        try
        {
            // A detached copy: the verified command outlives this buffer.
            if (JsonElement.TryParseValue(ref reader, out JsonElement? element) && element is { } value && reader.BytesConsumed == utf8.Length)
            {
                json = value;
                return true;
            }

            return false;
        }
        catch (JsonException)
        {
            return false; // not JSON, invalid UTF-8, too deep, or trailing bytes
        }
    }

    private static string? StringClaim(JsonElement claims, string name, int maxLength) =>
        claims.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text && text.Length <= maxLength
            ? text
            : null;

    /// <summary>A NumericDate (RFC 7519 §2): seconds since 1970; a fraction is dropped. Null when absent, not a number, or out of range.</summary>
    private static long? TimeClaim(JsonElement claims, string name)
    {
        if (!claims.TryGetProperty(name, out JsonElement value) || value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double seconds))
        {
            return null;
        }

        // Between 1970 and 9999: DateTimeOffset's range.
        return seconds is >= 0 and < 253402300800 ? (long)seconds : null;
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Duration(TimeSpan span) =>
        span.TotalSeconds < 120 ? $"{span.TotalSeconds:0.#}s" : span.TotalMinutes < 120 ? $"{span.TotalMinutes:0.#}m" : $"{span.TotalHours:0.#}h";

    private static (VerifiedCommand?, CommandRefusal?) Refuse(CommandRefusalCode code, string reason) => (null, new CommandRefusal(code, reason));

    /// <summary>The outcome of <see cref="Inspect"/>: finished (<see cref="Done"/>), or a token to verify with <see cref="Key"/>.</summary>
    private readonly record struct Inspection((VerifiedCommand?, CommandRefusal?)? Done, string? Token, CommandKey? Key, Range Body)
    {
        public static implicit operator Inspection((VerifiedCommand?, CommandRefusal?) done) => new(done, null, null, default);
    }
}
