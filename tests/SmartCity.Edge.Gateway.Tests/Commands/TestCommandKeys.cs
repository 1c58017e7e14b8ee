using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using SmartCity.Edge.Gateway.Commands;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Tests.Commands;

/// <summary>
/// Command keys for tests: an ES256 key pair and an HS256 secret, the gateway's configuration holding them, and
/// tokens — signed by our writer, or built byte by byte (hostile ones: any header, any claims, any signature).
/// </summary>
internal sealed class TestCommandKeys : IDisposable
{
    public const string Secret = "0123456789abcdef0123456789abcdef-night";

    private readonly string _directory = Directory.CreateTempSubdirectory("edge-cmdkeys-").FullName;

    public TestCommandKeys()
    {
        Desk = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        DeskPrivatePem = Path.Combine(_directory, "desk-1.pem");
        File.WriteAllText(DeskPrivatePem, Desk.ExportPkcs8PrivateKeyPem());
        NightSecretFile = Path.Combine(_directory, "night.key");
        File.WriteAllText(NightSecretFile, Secret + "\n");
        Configuration = new CommandsConfiguration(
            [
                CommandKey.Es256("desk-1", [new CommandPermission("ack", null)], "desk-1.pub.pem", Desk.ExportParameters(false)),
                CommandKey.Hs256("night", [new CommandPermission("ack", "smoke-*")], Encoding.UTF8.GetBytes(Secret)),
            ],
            AllowUnsigned: false,
            MaxLifetime: TimeSpan.FromMinutes(5),
            ClockSkew: TimeSpan.FromMinutes(2));
    }

    public ECDsa Desk { get; }

    public string DeskPrivatePem { get; }

    public string NightSecretFile { get; }

    public CommandsConfiguration Configuration { get; }

    /// <summary>The standard claims of an ack issued at <paramref name="now"/>, valid for a minute.</summary>
    public static Dictionary<string, object?> AckClaims(DateTimeOffset now, string alarm = "smoke-high", long occurrence = 7) => new()
    {
        ["cmd"] = "ack",
        ["alarm"] = alarm,
        ["occurrence"] = occurrence,
        ["sub"] = "alice",
        ["iat"] = now.ToUnixTimeSeconds(),
        ["exp"] = now.ToUnixTimeSeconds() + 60,
        ["jti"] = "jti-" + Guid.NewGuid().ToString("N"),
    };

    /// <summary>Our writer's token (the CLI's code path).</summary>
    public string Sign(string kid, DateTimeOffset now, string alarm = "smoke-high", long occurrence = 7)
    {
        string file = kid == "night" ? NightSecretFile : DeskPrivatePem;
        CommandSigningKey key = CommandSigningKey.Load(file, kid, null, out string? error) ?? throw new InvalidOperationException(error);
        return CommandTokenWriter.Sign(key, "ack", "alice", now, TimeSpan.FromMinutes(1), new Dictionary<string, object> { ["alarm"] = alarm, ["occurrence"] = occurrence });
    }

    /// <summary>A token built by hand: <paramref name="header"/> and <paramref name="claims"/> as raw JSON, signed ES256 by the desk key or HS256 by the secret, as the header's alg says (none: no signature).</summary>
    public string Build(string header, string claims, ECDsa? signer = null, byte[]? hmacKey = null)
    {
        string signingInput = B64(Encoding.UTF8.GetBytes(header)) + "." + B64(Encoding.UTF8.GetBytes(claims));
        byte[] input = Encoding.ASCII.GetBytes(signingInput);
        byte[] signature = header.Contains("\"HS256\"", StringComparison.Ordinal)
            ? HMACSHA256.HashData(hmacKey ?? Encoding.UTF8.GetBytes(Secret), input)
            : header.Contains("\"ES256\"", StringComparison.Ordinal)
                ? (signer ?? Desk).SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
                : [];
        return signingInput + "." + B64(signature);
    }

    public static string Json(Dictionary<string, object?> claims) => System.Text.Json.JsonSerializer.Serialize(claims);

    public static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);

    public void Dispose()
    {
        Desk.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
