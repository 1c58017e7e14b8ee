using System.Security.Cryptography;

namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>
/// One entry of <c>commands.keys</c>: a key that verifies signed commands, named by the <c>kid</c> a token carries, and
/// the commands it may send. The key material is read when the configuration is loaded (a missing or broken file is a
/// configuration problem) and never logged: the secret of an HS256 key is internal, and only the public key's
/// fingerprint is shown.
/// </summary>
public sealed class CommandKey
{
    private readonly byte[]? _secret;

    private CommandKey(string id, CommandKeyAlgorithm algorithm, IReadOnlyList<CommandPermission> allow, string? publicKeyFile, ECParameters? publicKey, byte[]? secret)
    {
        Id = id;
        Algorithm = algorithm;
        Allow = allow;
        PublicKeyFile = publicKeyFile;
        PublicKey = publicKey;
        _secret = secret;
        if (publicKey is { } parameters)
        {
            using ECDsa ecdsa = ECDsa.Create(parameters);
            Fingerprint = Convert.ToHexStringLower(SHA256.HashData(ecdsa.ExportSubjectPublicKeyInfo()));
        }
        else
        {
            // Reload compares public properties: a keyed hash tells a rotated secret apart without revealing it.
            Fingerprint = "secret:" + Convert.ToHexStringLower(HMACSHA256.HashData(secret!, "smartcity-edge command key"u8))[..16];
        }
    }

    /// <summary>The <c>kid</c> tokens signed with this key carry.</summary>
    public string Id { get; }

    public CommandKeyAlgorithm Algorithm { get; }

    /// <summary>What the key may send (<c>allow:</c>).</summary>
    public IReadOnlyList<CommandPermission> Allow { get; }

    /// <summary>ES256: the PEM file of the public key; null for HS256.</summary>
    public string? PublicKeyFile { get; }

    /// <summary>ES256: SHA-256 of the public key's SubjectPublicKeyInfo (as <c>openssl pkey -pubin -outform DER | sha256sum</c>); HS256: a keyed digest of the secret.</summary>
    public string Fingerprint { get; }

    /// <summary>ES256: the public key (P-256).</summary>
    internal ECParameters? PublicKey { get; }

    /// <summary>HS256: the shared secret (the UTF-8 bytes of <c>secret:</c>).</summary>
    internal ReadOnlySpan<byte> Secret => _secret;

    public static CommandKey Es256(string id, IReadOnlyList<CommandPermission> allow, string publicKeyFile, ECParameters publicKey) =>
        new(id, CommandKeyAlgorithm.ES256, allow, publicKeyFile, publicKey, null);

    public static CommandKey Hs256(string id, IReadOnlyList<CommandPermission> allow, byte[] secret) =>
        new(id, CommandKeyAlgorithm.HS256, allow, null, null, secret);

    /// <summary>True when an entry of <see cref="Allow"/> lets this key send <paramref name="command"/> for <paramref name="target"/>.</summary>
    public bool Allows(string command, string target) => Allow.Any(p => p.Allows(command, target));

    /// <summary>Never the secret.</summary>
    public override string ToString() => $"{Id} {Algorithm} allow [{string.Join(", ", Allow)}]";
}
