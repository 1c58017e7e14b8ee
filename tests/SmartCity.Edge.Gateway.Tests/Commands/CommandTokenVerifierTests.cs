using System.Security.Cryptography;
using System.Text;
using SmartCity.Edge.Gateway.Commands;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Tests.Commands;

/// <summary>
/// Signed commands are verified from their bytes: every refusal names its reason, and hostile input of any kind is
/// refused cleanly (never an exception). Tokens from our writer and built by hand; PyJWT's are in the integration tests.
/// </summary>
public sealed class CommandTokenVerifierTests : IDisposable
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly TestCommandKeys _keys = new();
    private readonly CommandTokenVerifier _verifier = new();

    public void Dispose() => _keys.Dispose();

    [Theory]
    [InlineData("desk-1")]
    [InlineData("night")]
    public async Task Verify_TokenSignedByConfiguredKey_ReturnsItsClaims(string kid)
    {
        (VerifiedCommand? command, CommandRefusal? refusal) = await VerifyAsync(_keys.Sign(kid, s_now));

        Assert.Null(refusal);
        Assert.Equal(("ack", "alice", kid), (command!.Command, command.Subject, command.Key!.Id));
        Assert.StartsWith("", command.TokenId, StringComparison.Ordinal);
        Assert.Equal(command.TokenId, command.RequestId);
        Assert.Equal(s_now.AddMinutes(1), command.Expires);
        Assert.True(AckCommand.TryRead(command, out AckCommand? ack, out string? error), error);
        Assert.Equal(("smoke-high", "alice", 7L), (ack!.Alarm, ack.By, ack.Occurrence!.Value));
    }

    [Fact]
    public async Task Verify_NoKeysConfigured_RefusedSayingHowToConfigure()
    {
        CommandRefusal refusal = await RefusedAsync(_keys.Sign("desk-1", s_now), CommandsConfiguration.Default);

        Assert.Equal(CommandRefusalCode.NoKeys, refusal.Code);
        Assert.Contains("commands.keys", refusal.Reason, StringComparison.Ordinal);
        Assert.Equal(CommandRefusalCode.NoKeys, (await RefusedAsync("""{"alarm":"a1","by":"desk-1"}""", CommandsConfiguration.Default)).Code);
    }

    [Fact]
    public async Task Verify_UnsignedJson_RefusedUnlessAllowUnsigned()
    {
        const string Legacy = """{"alarm":"smoke-high","by":"desk-1","comment":"ok","id":"r9"}""";
        Assert.Equal(CommandRefusalCode.Unsigned, (await RefusedAsync(Legacy)).Code);

        (VerifiedCommand? command, CommandRefusal? refusal) = await VerifyAsync(Legacy, _keys.Configuration with { AllowUnsigned = true });
        Assert.Null(refusal);
        Assert.False(command!.IsSigned);
        Assert.Equal(("desk-1", "r9"), (command.Subject, command.RequestId));
        Assert.True(AckCommand.TryRead(command, out AckCommand? ack, out _));
        Assert.Null(ack!.Occurrence); // optional for unsigned acks
    }

    [Theory]
    [InlineData("""{"by":"desk-1"}""", "missing \"alarm\"")]
    [InlineData("""{"alarm":"a1"}""", "missing \"by\"")]
    [InlineData("""{"alarm":5,"by":"desk-1"}""", "\"alarm\" must be a string")]
    [InlineData("""{"alarm":"a1","by":"d","occurrence":"5"}""", "\"occurrence\" must be a positive whole number")]
    [InlineData("""{"alarm":"a1","by":"d"} trailing""", "must be a JSON object")]
    public async Task Verify_UnsignedJsonWithBadClaims_Explained(string payload, string expected)
    {
        (VerifiedCommand? command, CommandRefusal? refusal) = await VerifyAsync(payload, _keys.Configuration with { AllowUnsigned = true });
        string? error = refusal?.Reason;
        if (command is not null)
        {
            Assert.False(AckCommand.TryRead(command, out _, out error));
        }

        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_AlgNone_Refused()
    {
        string token = _keys.Build("""{"alg":"none","kid":"desk-1"}""", TestCommandKeys.Json(TestCommandKeys.AckClaims(s_now)));

        CommandRefusal refusal = await RefusedAsync(token);

        Assert.Equal(CommandRefusalCode.Algorithm, refusal.Code);
        Assert.Contains("alg none", refusal.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_UnknownKid_RefusedNamingTheKnownKeys()
    {
        string token = _keys.Build("""{"alg":"ES256","kid":"intruder\nforged log line"}""", TestCommandKeys.Json(TestCommandKeys.AckClaims(s_now)));

        CommandRefusal refusal = await RefusedAsync(token);

        Assert.Equal(CommandRefusalCode.UnknownKey, refusal.Code);
        Assert.Contains("unknown key 'intruder?forged log line'", refusal.Reason, StringComparison.Ordinal);
        Assert.Contains("desk-1, night", refusal.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_HmacSignedWithTheEs256PublicKey_RefusedForItsAlgorithm()
    {
        // The classic confusion attack: an HS256 token "signed" with the public key, naming the ES256 key.
        byte[] publicKey = _keys.Desk.ExportSubjectPublicKeyInfo();
        string token = _keys.Build("""{"alg":"HS256","kid":"desk-1"}""", TestCommandKeys.Json(TestCommandKeys.AckClaims(s_now)), hmacKey: publicKey);

        CommandRefusal refusal = await RefusedAsync(token);

        Assert.Equal(CommandRefusalCode.Algorithm, refusal.Code);
        Assert.Contains("key 'desk-1' verifies ES256 only", refusal.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_SignedByAnotherKey_BadSignature()
    {
        using ECDsa other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string es = _keys.Build("""{"alg":"ES256","kid":"desk-1"}""", TestCommandKeys.Json(TestCommandKeys.AckClaims(s_now)), signer: other);
        string hs = _keys.Build("""{"alg":"HS256","kid":"night"}""", TestCommandKeys.Json(TestCommandKeys.AckClaims(s_now)), hmacKey: Encoding.UTF8.GetBytes(TestCommandKeys.Secret + "x"));

        Assert.Equal(CommandRefusalCode.Signature, (await RefusedAsync(es)).Code);
        Assert.Equal(CommandRefusalCode.Signature, (await RefusedAsync(hs)).Code);
    }

    [Fact]
    public async Task Verify_PayloadChangedAfterSigning_BadSignature()
    {
        string[] parts = _keys.Sign("desk-1", s_now).Split('.');
        Dictionary<string, object?> claims = TestCommandKeys.AckClaims(s_now, occurrence: 99);
        string forged = parts[0] + "." + TestCommandKeys.B64(Encoding.UTF8.GetBytes(TestCommandKeys.Json(claims))) + "." + parts[2];

        Assert.Equal(CommandRefusalCode.Signature, (await RefusedAsync(forged)).Code);
    }

    [Fact]
    public async Task Verify_Expired_RefusedNamingTheGatewaysClock()
    {
        string token = _keys.Sign("desk-1", s_now);

        CommandRefusal refusal = await RefusedAsync(token, now: s_now.AddMinutes(1) + TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));

        Assert.Equal(CommandRefusalCode.Expired, refusal.Code);
        Assert.Contains("expired at 2026-11-25T12:01:00Z; the gateway's clock says 2026-11-25T12:03:01Z", refusal.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ExpiredWithinClockSkew_Accepted()
    {
        Assert.Null((await VerifyAsync(_keys.Sign("desk-1", s_now), now: s_now.AddMinutes(3))).Refusal);
    }

    [Fact]
    public async Task Verify_IssuedInTheFuture_RefusedBeyondSkewOnly()
    {
        Assert.Null((await VerifyAsync(_keys.Sign("desk-1", s_now.AddMinutes(2)))).Refusal);
        CommandRefusal refusal = await RefusedAsync(_keys.Sign("desk-1", s_now.AddMinutes(2).AddSeconds(1)));

        Assert.Equal(CommandRefusalCode.NotYetValid, refusal.Code);
        Assert.Contains("the gateway's clock says 2026-11-25T12:00:00Z", refusal.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_LifetimeAboveMaximum_Refused()
    {
        Dictionary<string, object?> claims = TestCommandKeys.AckClaims(s_now);
        claims["exp"] = s_now.AddMinutes(5).AddSeconds(1).ToUnixTimeSeconds();

        CommandRefusal refusal = await RefusedAsync(_keys.Build("""{"alg":"ES256","kid":"desk-1"}""", TestCommandKeys.Json(claims)));

        Assert.Equal(CommandRefusalCode.Lifetime, refusal.Code);
        Assert.Contains("longer than commands.max_lifetime 5m", refusal.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cmd", null, "cmd (the command)")]
    [InlineData("sub", null, "sub (the operator")]
    [InlineData("jti", null, "jti")]
    [InlineData("iat", null, "iat")]
    [InlineData("exp", "tomorrow", "exp")]
    [InlineData("cmd", "write", "does not match its topic")]
    [InlineData("occurrence", null, "missing \"occurrence\"")]
    [InlineData("occurrence", "7", "must be a positive whole number")]
    [InlineData("alarm", null, "missing \"alarm\"")]
    public async Task Verify_SignedTokenWithBadClaim_RefusedNamingIt(string claim, string? value, string expected)
    {
        Dictionary<string, object?> claims = TestCommandKeys.AckClaims(s_now);
        if (value is null)
        {
            claims.Remove(claim);
        }
        else
        {
            claims[claim] = value;
        }

        (VerifiedCommand? command, CommandRefusal? refusal) = await VerifyAsync(_keys.Build("""{"alg":"HS256","kid":"night"}""", TestCommandKeys.Json(claims)));
        string? error = refusal?.Reason;
        if (command is not null)
        {
            Assert.False(AckCommand.TryRead(command, out _, out error));
        }
        else
        {
            Assert.Equal(CommandRefusalCode.Claims, refusal!.Code);
        }

        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_OversizedToken_RefusedBeforeParsing()
    {
        Dictionary<string, object?> claims = TestCommandKeys.AckClaims(s_now);
        claims["comment"] = new string('x', 9000);

        CommandRefusal refusal = await RefusedAsync(_keys.Build("""{"alg":"HS256","kid":"night"}""", TestCommandKeys.Json(claims)));

        Assert.Equal(CommandRefusalCode.TooLarge, refusal.Code);
        Assert.Contains("at most 8192 bytes", refusal.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d.e")]
    [InlineData("....")]
    [InlineData("eyJ!!!.eyJ.sig")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9..sig")]
    [InlineData("e.e.e")]
    [InlineData("[1,2,3]")]
    public async Task Verify_GarbageTokens_RefusedAsMalformed(string payload)
    {
        CommandRefusal refusal = await RefusedAsync(payload, _keys.Configuration with { AllowUnsigned = payload.StartsWith('[') });

        Assert.Contains(refusal.Code, new[] { CommandRefusalCode.Malformed, CommandRefusalCode.Unsigned });
    }

    [Fact]
    public async Task Verify_BinaryAndInvalidUtf8_RefusedAsMalformed()
    {
        byte[] random = RandomNumberGenerator.GetBytes(3000);
        random[0] = 0xFF; // never '{' (or whitespace before it): that would be an unsigned JSON command, 1 run in ~200
        byte[] invalidUtf8 = [.. "eyJh."u8, 0xC3, 0x28, .. ".x"u8];
        string headerInvalidUtf8 = TestCommandKeys.B64([.. "{\"alg\":\""u8, 0xFF, 0xFE, .. "\",\"kid\":\"night\"}"u8]) + ".e30.c2ln";

        Assert.Equal(CommandRefusalCode.Malformed, (await RefusedAsync(random)).Code);
        Assert.Equal(CommandRefusalCode.Malformed, (await RefusedAsync(invalidUtf8)).Code);
        Assert.Equal(CommandRefusalCode.Malformed, (await RefusedAsync(headerInvalidUtf8)).Code);
    }

    [Fact]
    public async Task Verify_DeeplyNestedHeader_RefusedWithoutRecursing()
    {
        string header = new string('[', 3000) + new string(']', 3000);

        Assert.Equal(CommandRefusalCode.Malformed, (await RefusedAsync(_keys.Build(header, "{}"))).Code);
    }

    [Fact]
    public async Task Verify_SignedTokenWithDeepOrHugeClaims_RefusedCleanly()
    {
        Dictionary<string, object?> claims = TestCommandKeys.AckClaims(s_now);
        string deep = TestCommandKeys.Json(claims).TrimEnd('}') + ",\"x\":" + new string('[', 2000) + new string(']', 2000) + "}";
        string many = TestCommandKeys.Json(claims).TrimEnd('}') + string.Concat(Enumerable.Range(0, 400).Select(i => $",\"c{i}\":{i}")) + "}";

        // Signed by a real key: the depth limit, not the signature, must stop the deep one.
        Assert.Contains((await RefusedAsync(_keys.Build("""{"alg":"HS256","kid":"night"}""", deep))).Code, new[] { CommandRefusalCode.Claims, CommandRefusalCode.Signature });
        (VerifiedCommand? command, CommandRefusal? refusal) = await VerifyAsync(_keys.Build("""{"alg":"HS256","kid":"night"}""", many));
        Assert.Null(refusal); // unknown claims are ignored (RFC 7519 §4)
        Assert.Equal("alice", command!.Subject);
    }

    [Fact]
    public async Task Verify_KidOrAlgOfWrongType_Refused()
    {
        string claims = TestCommandKeys.Json(TestCommandKeys.AckClaims(s_now));

        Assert.Equal(CommandRefusalCode.UnknownKey, (await RefusedAsync(_keys.Build("""{"alg":"HS256","kid":{"id":"night"}}""", claims))).Code);
        Assert.Equal(CommandRefusalCode.UnknownKey, (await RefusedAsync(_keys.Build("""{"alg":"HS256"}""", claims))).Code);
        Assert.Equal(CommandRefusalCode.Algorithm, (await RefusedAsync(_keys.Build("""{"alg":7,"kid":"night"}""", claims))).Code);
    }

    private Task<(VerifiedCommand? Command, CommandRefusal? Refusal)> VerifyAsync(string payload, CommandsConfiguration? configuration = null, DateTimeOffset? now = null) =>
        _verifier.VerifyAsync(Encoding.UTF8.GetBytes(payload), "ack", configuration ?? _keys.Configuration, now ?? s_now);

    private Task<CommandRefusal> RefusedAsync(string payload, CommandsConfiguration? configuration = null, DateTimeOffset? now = null) =>
        RefusedAsync(Encoding.UTF8.GetBytes(payload), configuration, now);

    private async Task<CommandRefusal> RefusedAsync(byte[] payload, CommandsConfiguration? configuration = null, DateTimeOffset? now = null)
    {
        (VerifiedCommand? command, CommandRefusal? refusal) = await _verifier.VerifyAsync(payload, "ack", configuration ?? _keys.Configuration, now ?? s_now);
        Assert.Null(command);
        return refusal!;
    }
}
