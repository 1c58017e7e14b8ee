using System.Security.Cryptography.X509Certificates;

namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>
/// The TLS material of a webhook or of the MQTT broker connection, read from its PEM files when the configuration
/// is loaded (so a missing or broken file is a config problem, and a reload that fixes the files applies them): the
/// roots the peer's chain must end in, and the client certificate for peers that require mutual TLS.
/// </summary>
/// <remarks>
/// Reload compares the public properties only: the paths and <see cref="Fingerprint"/>, so a file replaced in place
/// with another CA or certificate counts as a change. The certificates and the key are never logged.
/// </remarks>
public sealed class TlsFiles
{
    public TlsFiles(string? caFile, string? clientCertFile, string? clientKeyFile, X509Certificate2Collection? roots, X509Certificate2? clientCertificate)
    {
        CaFile = caFile;
        ClientCertFile = clientCertFile;
        ClientKeyFile = clientKeyFile;
        Roots = roots;
        ClientCertificate = clientCertificate;
        IEnumerable<X509Certificate2> all = (roots ?? []).Concat(clientCertificate is null ? [] : [clientCertificate]);
        Fingerprint = string.Join(',', all.Select(c => c.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256)));
    }

    /// <summary><c>ca_file</c>: the peer's chain must end in one of its certificates; null uses the system trust store.</summary>
    public string? CaFile { get; }

    /// <summary><c>client_cert</c>: PEM certificate presented to peers that require one.</summary>
    public string? ClientCertFile { get; }

    /// <summary><c>client_key</c>: PEM private key of <see cref="ClientCertFile"/>.</summary>
    public string? ClientKeyFile { get; }

    /// <summary>SHA-256 of every certificate loaded, in file order.</summary>
    public string Fingerprint { get; }

    /// <summary>The certificates of <see cref="CaFile"/>; null without one.</summary>
    internal X509Certificate2Collection? Roots { get; }

    /// <summary>The client certificate with its private key; null without one.</summary>
    internal X509Certificate2? ClientCertificate { get; }

    public override string ToString() => $"ca_file={CaFile ?? "(system)"} client_cert={ClientCertFile ?? "(none)"}";
}
