using System.Security.Cryptography;
using System.Text;
using SmartCity.Edge.Drivers.Configuration;

namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>The <c>commands:</c> section: the keys that sign operator commands (docs/alarms.md, "Signed commands").</summary>
public sealed partial class GatewayConfigurationLoader
{
    /// <summary>RFC 7518 §3.2: an HS256 key is at least as long as the hash, 256 bits.</summary>
    private const int MinSecretBytes = 32;

    /// <summary>A PEM public key is a few hundred bytes; a bigger file is a wrong path.</summary>
    private const int MaxPublicKeyFileBytes = 64 * 1024;

    private static readonly Dictionary<string, CommandKeyAlgorithm> s_commandAlgorithms = new(StringComparer.Ordinal)
    {
        ["ES256"] = CommandKeyAlgorithm.ES256,
        ["HS256"] = CommandKeyAlgorithm.HS256,
    };

    private static CommandsConfiguration ReadCommands(ConfigSection root)
    {
        ConfigSection? section = root.GetSection("commands");
        if (section is null)
        {
            return CommandsConfiguration.Default;
        }

        CommandsConfiguration defaults = CommandsConfiguration.Default;
        var keys = new List<CommandKey>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (ConfigSection entry in section.GetSectionList("keys"))
        {
            if (ReadCommandKey(entry, seen) is { } key)
            {
                keys.Add(key);
            }
        }

        bool allowUnsigned = section.GetBoolean("allow_unsigned", defaults.AllowUnsigned);
        TimeSpan maxLifetime = section.GetDuration("max_lifetime", defaults.MaxLifetime, TimeSpan.FromSeconds(1), TimeSpan.FromHours(24));
        TimeSpan clockSkew = section.GetDuration("clock_skew", defaults.ClockSkew, TimeSpan.Zero, TimeSpan.FromHours(1));
        section.ReportUnknownKeys();
        return new CommandsConfiguration(keys, allowUnsigned, maxLifetime, clockSkew);
    }

    private static CommandKey? ReadCommandKey(ConfigSection entry, HashSet<string> seenIds)
    {
        int problems = entry.Problems.All.Count;
        string id = entry.GetRequiredString("id");
        CommandKeyAlgorithm algorithm = entry.GetChoice("alg", CommandKeyAlgorithm.ES256, s_commandAlgorithms, required: true);
        bool algorithmKnown = entry.Problems.All.Count == problems;
        string? publicKeyFile = entry.GetString("public_key_file");
        string? secret = entry.GetString("secret");
        IReadOnlyList<string>? allowText = entry.GetScalarList("allow", required: true);
        entry.ReportUnknownKeys();

        if (id.Length > 0 && (id.Length > 64 || !TagIdPattern().IsMatch(id)))
        {
            entry.Error("id", $"'{id}' is not a valid key id (letters, digits, '-', '_' and '.', at most 64; tokens name it as their kid)");
        }
        else if (id.Length > 0 && !seenIds.Add(id))
        {
            entry.Error("id", $"key id '{id}' is used twice (a token's kid must name one key)");
        }

        var allow = new List<CommandPermission>();
        foreach (string text in allowText ?? [])
        {
            if (CommandPermission.Parse(text, out string? error) is { } permission)
            {
                allow.Add(permission);
            }
            else
            {
                entry.Error("allow", error!);
            }
        }

        if (allowText is { Count: 0 })
        {
            entry.Error("allow", "is empty: a key that may send nothing is a mistake (write allow: [ack])");
        }

        CommandKey? key = null;
        switch (algorithmKnown ? algorithm : (CommandKeyAlgorithm?)null)
        {
            case null:
                break; // the algorithm decides which key material fits: nothing more to say until it is fixed
            case CommandKeyAlgorithm.ES256:
                if (secret is not null)
                {
                    entry.Error("secret", "an ES256 key is a public key file, not a secret (public_key_file: /etc/smartcity-edge/desk-1.pub.pem); a shared secret is alg: HS256");
                }
                else if (publicKeyFile is null)
                {
                    entry.Error("public_key_file", "is required for alg: ES256 (the desk's public key in PEM, from `openssl ec -in desk-1.pem -pubout -out desk-1.pub.pem`)");
                }
                else if (ReadEs256PublicKey(entry, publicKeyFile) is { } publicKey)
                {
                    key = CommandKey.Es256(id, allow, Path.GetFullPath(publicKeyFile, entry.Context.BaseDirectory), publicKey);
                }

                break;
            case CommandKeyAlgorithm.HS256:
                if (publicKeyFile is not null)
                {
                    entry.Error("public_key_file", "an HS256 key is a shared secret (secret: \"${file:/etc/smartcity-edge/night.key}\"); a public key file is alg: ES256");
                }
                else if (secret is null)
                {
                    entry.Error("secret", "is required for alg: HS256; keep it in a file of its own: secret: \"${file:/etc/smartcity-edge/night.key}\" (make one with `openssl rand -hex 32`)");
                }
                else if (Encoding.UTF8.GetByteCount(secret) < MinSecretBytes)
                {
                    // Never the value: only how long it is.
                    entry.Error("secret", $"is {Encoding.UTF8.GetByteCount(secret)} bytes; HS256 needs at least {MinSecretBytes} (RFC 7518 §3.2); make one with `openssl rand -hex 32`");
                }
                else
                {
                    key = CommandKey.Hs256(id, allow, Encoding.UTF8.GetBytes(secret));
                }

                break;
            default:
                throw new InvalidOperationException($"Unhandled command key algorithm {algorithm}.");
        }

        return entry.Problems.All.Count == problems ? key : null;
    }

    /// <summary>
    /// Reads an ES256 public key: one PEM <c>PUBLIC KEY</c> (SubjectPublicKeyInfo) on the P-256 curve. A private key is
    /// refused: the gateway needs only the public half, and a private key on the gateway could sign commands.
    /// A relative <paramref name="given"/> path resolves against the configuration file's folder; messages show it as written.
    /// </summary>
    private static ECParameters? ReadEs256PublicKey(ConfigSection entry, string given)
    {
        string path = Path.GetFullPath(given, entry.Context.BaseDirectory);
        string file = given;
        string text;
        try
        {
            var info = new FileInfo(path);
            if (Directory.Exists(path))
            {
                entry.Error("public_key_file", $"'{file}' is a directory, not a PEM file");
                return null;
            }

            if (!info.Exists)
            {
                entry.Error("public_key_file", $"file '{file}' does not exist");
                return null;
            }

            if (info.Length == 0)
            {
                // Also what a FIFO or a device reports: reading one could block or never end.
                entry.Error("public_key_file", $"'{file}' is empty or not a regular file");
                return null;
            }

            if (info.Length > MaxPublicKeyFileBytes)
            {
                entry.Error("public_key_file", $"file '{file}' is {info.Length} bytes; a PEM public key is far smaller (wrong path?)");
                return null;
            }

            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            entry.Error("public_key_file", $"cannot read file '{file}': {ex.Message}");
            return null;
        }

        if (text.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            entry.Error("public_key_file", $"file '{file}' holds a private key: the gateway needs only the public key (`openssl ec -in {Path.GetFileName(file)} -pubout`); keep the private key at the desk");
            return null;
        }

        if (!text.Contains("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal))
        {
            entry.Error("public_key_file", $"file '{file}' holds no PEM public key (expected -----BEGIN PUBLIC KEY-----)");
            return null;
        }

        try
        {
            using ECDsa ecdsa = ECDsa.Create();
            ecdsa.ImportFromPem(text);
            ECParameters parameters = ecdsa.ExportParameters(includePrivateParameters: false);
            if (parameters.Curve.Oid?.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                entry.Error("public_key_file", $"file '{file}' holds a {ecdsa.KeySize}-bit key on another curve; ES256 needs P-256 (prime256v1)");
                return null;
            }

            return parameters;
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            entry.Error("public_key_file", $"file '{file}' is not an EC public key (ES256 needs P-256): {ex.Message}");
            return null;
        }
    }
}
