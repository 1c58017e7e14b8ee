using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using SmartCity.Edge.Gateway.Tests.Cli;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// The desk's side of signed commands for the real-binary tests: an ES256 key pair (the gateway gets the public PEM)
/// and an HS256 secret file, the <c>commands:</c> section naming them, and tokens made by the independent
/// implementation (PyJWT, tests/peers/jwt/sign.py) or by our own CLI (<c>smartcity-edge command ack</c>).
/// </summary>
internal sealed class CommandTokens
{
    public const string DeskKid = "desk-1";
    public const string NightKid = "night";

    public CommandTokens(string directory)
    {
        Directory.CreateDirectory(directory);
        using ECDsa desk = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        DeskPrivateKey = Path.Combine(directory, "desk-1.pem");
        DeskPublicKey = Path.Combine(directory, "desk-1.pub.pem");
        File.WriteAllText(DeskPrivateKey, desk.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(DeskPublicKey, desk.ExportSubjectPublicKeyInfoPem());
        using ECDsa other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        ForeignPrivateKey = Path.Combine(directory, "stranger.pem");
        File.WriteAllText(ForeignPrivateKey, other.ExportPkcs8PrivateKeyPem());
        NightSecret = Path.Combine(directory, "night.key");
        File.WriteAllText(NightSecret, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) + "\n");
    }

    public string DeskPrivateKey { get; }

    public string DeskPublicKey { get; }

    /// <summary>A P-256 key the gateway does not know.</summary>
    public string ForeignPrivateKey { get; }

    public string NightSecret { get; }

    /// <summary>
    /// <c>commands:</c> with the ES256 desk key (may send <paramref name="deskAllow"/>: ack anything by default) and the
    /// HS256 night key (may send only <paramref name="nightAllow"/>), the secret read through <c>${file:}</c>; several
    /// allow entries are separated by spaces.
    /// </summary>
    public string Section(string nightAllow = "ack", bool allowUnsigned = false, string deskAllow = "ack") => $$"""
        commands:
          keys:
            - { id: {{DeskKid}}, alg: ES256, public_key_file: {{DeskPublicKey}}, allow: [{{string.Join(", ", deskAllow.Split(' ').Select(a => "\"" + a + "\""))}}] }
            - { id: {{NightKid}}, alg: HS256, secret: "${file:{{NightSecret}}}", allow: [{{string.Join(", ", nightAllow.Split(' ').Select(a => "\"" + a + "\""))}}] }
          allow_unsigned: {{(allowUnsigned ? "true" : "false")}}
        """;

    /// <summary>The claims of an ack, issued now (or <paramref name="issuedAgo"/> ago), living <paramref name="lifetime"/> (default 2 min).</summary>
    public static Dictionary<string, object> Ack(string alarm, long occurrence, string by, string? jti = null, string? comment = null, TimeSpan? issuedAgo = null, TimeSpan? lifetime = null)
    {
        long iat = DateTimeOffset.UtcNow.Subtract(issuedAgo ?? TimeSpan.Zero).ToUnixTimeSeconds();
        var claims = new Dictionary<string, object>
        {
            ["cmd"] = "ack",
            ["alarm"] = alarm,
            ["occurrence"] = occurrence,
            ["sub"] = by,
            ["iat"] = iat,
            ["exp"] = iat + (long)(lifetime ?? TimeSpan.FromMinutes(2)).TotalSeconds,
            ["jti"] = jti ?? "jti-" + Guid.NewGuid().ToString("N"),
        };
        if (comment is not null)
        {
            claims["comment"] = comment;
        }

        return claims;
    }

    /// <summary>The claims of a write of <paramref name="value"/> to <paramref name="device"/>/<paramref name="tag"/>, issued now, living 2 min.</summary>
    public static Dictionary<string, object> Write(string device, string tag, object? value, string by, string? jti = null, object? expect = null)
    {
        long iat = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new Dictionary<string, object>
        {
            ["cmd"] = "write",
            ["device"] = device,
            ["tag"] = tag,
            ["value"] = value!,
            ["sub"] = by,
            ["iat"] = iat,
            ["exp"] = iat + 120,
            ["jti"] = jti ?? "jti-" + Guid.NewGuid().ToString("N"),
        };
        if (expect is not null)
        {
            claims["expect"] = expect;
        }

        return claims;
    }

    /// <summary>A token from <c>smartcity-edge command write TARGET VALUE</c>, signed with the desk key (or the night secret for <see cref="NightKid"/>).</summary>
    public async Task<string> CliWriteAsync(string target, string value, string by, string kid = DeskKid, params string[] extra)
    {
        string[] arguments = ["command", "write", target, value, "--key", kid == NightKid ? NightSecret : DeskPrivateKey, "--kid", kid, "--by", by, .. extra];
        (int exitCode, string output, string error) = await GatewayProcess.RunToEndAsync(arguments);
        Assert.True(exitCode == 0, "smartcity-edge command write failed: " + error);
        return output.Trim();
    }

    /// <summary>A token signed by PyJWT: ES256 with <paramref name="keyFile"/> (default: the desk key), HS256 with the night secret, or none.</summary>
    public Task<string> PyJwtAsync(string alg, string kid, Dictionary<string, object> claims, string? keyFile = null) =>
        PyJwtRawAsync(alg, kid, JsonSerializer.Serialize(claims), keyFile);

    /// <summary>As <see cref="PyJwtAsync"/> with the claims as JSON text (shapes a dictionary cannot hold, e.g. deep nesting).</summary>
    public async Task<string> PyJwtRawAsync(string alg, string kid, string claimsJson, string? keyFile = null)
    {
        string key = keyFile ?? (alg == "HS256" ? NightSecret : DeskPrivateKey);
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { Path.Combine(PeerProcess.PeersDirectory, "jwt", "sign.py"), alg, key, kid, claimsJson })
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("python3 did not start");
        string token = await process.StandardOutput.ReadToEndAsync();
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Long);
        Assert.True(process.ExitCode == 0, "PyJWT could not sign (is python3-jwt installed? tests/peers/install.sh): " + error);
        return token.Trim();
    }

    /// <summary>A token from <c>smartcity-edge command ack</c>, the technicians' tool, signed with the desk key (or <paramref name="keyFile"/>).</summary>
    public async Task<string> CliAsync(string alarm, long occurrence, string by, string kid = DeskKid, string? keyFile = null, params string[] extra)
    {
        string[] arguments =
        [
            "command", "ack", alarm, "--occurrence", occurrence.ToString(CultureInfo.InvariantCulture),
            "--key", keyFile ?? (kid == NightKid ? NightSecret : DeskPrivateKey), "--kid", kid, "--by", by, .. extra,
        ];
        (int exitCode, string output, string error) = await GatewayProcess.RunToEndAsync(arguments);
        Assert.True(exitCode == 0, "smartcity-edge command ack failed: " + error);
        return output.Trim();
    }
}
