using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Commands;

/// <summary>
/// The desk's side of a command key, for <c>smartcity-edge command …</c> and tests: an ES256 private key (PEM, P-256)
/// or an HS256 shared secret (a text file, read like <c>${file:}</c>: one trailing line break dropped).
/// </summary>
internal sealed class CommandSigningKey
{
    private const int MaxFileBytes = 64 * 1024;

    private CommandSigningKey(string keyId, CommandKeyAlgorithm algorithm, SecurityKey key)
    {
        KeyId = keyId;
        Algorithm = algorithm;
        SecurityKey = key;
    }

    public string KeyId { get; }

    public CommandKeyAlgorithm Algorithm { get; }

    internal SecurityKey SecurityKey { get; }

    /// <summary>
    /// Reads <paramref name="path"/>: a PEM private key is ES256, anything else an HS256 secret, unless
    /// <paramref name="algorithm"/> says which. Null and <paramref name="error"/> when the file does not fit.
    /// </summary>
    public static CommandSigningKey? Load(string path, string keyId, CommandKeyAlgorithm? algorithm, out string? error)
    {
        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length == 0 || info.Length > MaxFileBytes)
            {
                error = !info.Exists ? $"key file '{path}' does not exist" : $"key file '{path}' is {info.Length} bytes: not a key (wrong path?)";
                return null;
            }

            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = $"cannot read key file '{path}': {ex.Message}";
            return null;
        }

        bool pemPrivate = text.Contains("PRIVATE KEY-----", StringComparison.Ordinal);
        if (text.Contains("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal))
        {
            error = $"'{path}' is a public key: commands are signed with the private key (the gateway holds the public one)";
            return null;
        }

        switch (algorithm ?? (pemPrivate ? CommandKeyAlgorithm.ES256 : CommandKeyAlgorithm.HS256))
        {
            case CommandKeyAlgorithm.ES256:
                if (!pemPrivate)
                {
                    error = $"'{path}' holds no PEM private key; ES256 signs with one (openssl ecparam -name prime256v1 -genkey -noout -out desk-1.pem)";
                    return null;
                }

                try
                {
                    var ecdsa = ECDsa.Create();
                    ecdsa.ImportFromPem(text);
                    if (ecdsa.ExportParameters(false).Curve.Oid?.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
                    {
                        error = $"'{path}' is a {ecdsa.KeySize}-bit key on another curve; ES256 needs P-256 (prime256v1)";
                        return null;
                    }

                    error = null;
                    return new CommandSigningKey(keyId, CommandKeyAlgorithm.ES256, new ECDsaSecurityKey(ecdsa) { KeyId = keyId });
                }
                catch (Exception ex) when (ex is CryptographicException or ArgumentException)
                {
                    error = $"'{path}' is not an EC private key: {ex.Message}";
                    return null;
                }

            case CommandKeyAlgorithm.HS256:
                if (pemPrivate)
                {
                    error = $"'{path}' is a private key, not an HS256 secret (drop --alg HS256, or give the secret file)";
                    return null;
                }

                string secret = text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text;
                byte[] bytes = Encoding.UTF8.GetBytes(secret);
                if (bytes.Length < 32)
                {
                    error = $"the secret in '{path}' is {bytes.Length} bytes; HS256 needs at least 32 (openssl rand -hex 32)";
                    return null;
                }

                error = null;
                return new CommandSigningKey(keyId, CommandKeyAlgorithm.HS256, new SymmetricSecurityKey(bytes) { KeyId = keyId });
            default:
                throw new InvalidOperationException($"Unhandled command key algorithm {algorithm}.");
        }
    }
}
