using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// The gateway's OPC UA PKI folder (<c>{data_dir}/pki</c>) in the usual OPC UA layout (OPC 10000-12 Annex F,
/// node-opcua-pki, UA-.NETStandard directory stores):
/// <code>
/// pki/own/certs/smartcity-edge.der      our application certificate (created on first start)
/// pki/own/private/smartcity-edge.pem    its RSA key (PKCS#8 PEM, mode 0600)
/// pki/trusted/certs/*.der|*.pem|*.crt   server certificates we trust (exact certificate, by thumbprint)
/// pki/rejected/certs/*.der              refused server certificates, kept for `smartcity-edge opcua trust`
/// </code>
/// </summary>
public sealed class UaCertificateStore
{
    private const string OwnName = "smartcity-edge";
    private static readonly string[] s_certificateExtensions = [".der", ".pem", ".crt", ".cer"];

    public UaCertificateStore(string pkiDirectory)
    {
        Root = Path.GetFullPath(pkiDirectory);
    }

    public string Root { get; }

    public string OwnCertificatePath => Path.Combine(Root, "own", "certs", OwnName + ".der");

    public string OwnKeyPath => Path.Combine(Root, "own", "private", OwnName + ".pem");

    public string TrustedDirectory => Path.Combine(Root, "trusted", "certs");

    public string RejectedDirectory => Path.Combine(Root, "rejected", "certs");

    /// <summary>
    /// Loads our application certificate, creating it when missing, or when the existing one is for another
    /// ApplicationUri or has expired (the old files are replaced; the servers then see a new, untrusted client).
    /// </summary>
    /// <param name="applicationUri">Our ApplicationUri, written into the SubjectAltName.</param>
    /// <param name="applicationName">The certificate's CN.</param>
    /// <param name="validity">Validity of a newly created certificate.</param>
    /// <param name="time">The clock.</param>
    /// <param name="keySize">RSA key bits of a newly created certificate (2048; 4096 allowed by the policies too).</param>
    public UaApplicationCertificate LoadOrCreateOwn(string applicationUri, string applicationName, TimeSpan validity, TimeProvider time, int keySize = 2048)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(OwnCertificatePath)!);
        Directory.CreateDirectory(Path.GetDirectoryName(OwnKeyPath)!);
        Directory.CreateDirectory(TrustedDirectory);
        Directory.CreateDirectory(RejectedDirectory);
        DateTimeOffset now = time.GetUtcNow();
        if (File.Exists(OwnCertificatePath) && File.Exists(OwnKeyPath))
        {
            byte[] der = File.ReadAllBytes(OwnCertificatePath);
            using X509Certificate2 existing = X509CertificateLoader.LoadCertificate(der);
            if (UaCertificateInfo.ApplicationUriOf(existing) == applicationUri && existing.NotAfter.ToUniversalTime() > now.UtcDateTime)
            {
                var key = RSA.Create();
                key.ImportFromPem(File.ReadAllText(OwnKeyPath));

                // Two devices creating the certificate at the same first start may leave one's key beside the
                // other's certificate: such a pair can never sign, so it is replaced instead of failing forever.
                if (existing.GetRSAPublicKey()?.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()) == true)
                {
                    return new UaApplicationCertificate(der, key, applicationUri);
                }

                key.Dispose();
            }
        }

        return CreateOwn(applicationUri, applicationName, validity, now, keySize);
    }

    private UaApplicationCertificate CreateOwn(string applicationUri, string applicationName, TimeSpan validity, DateTimeOffset now, int keySize)
    {
        var key = RSA.Create(keySize);
        string host = Dns.GetHostName();
        var subject = new X500DistinguishedName($"CN={applicationName}, O=SmartCity.Edge, DC={host}");
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(applicationUri));
        san.AddDnsName(host);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation | X509KeyUsageFlags.KeyEncipherment |
            X509KeyUsageFlags.DataEncipherment | X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var ski = new X509SubjectKeyIdentifierExtension(request.PublicKey, false);
        request.CertificateExtensions.Add(ski);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(ski));

        // NotBefore a little in the past: a peer whose clock is slightly behind must not see a "not yet valid" cert.
        using X509Certificate2 certificate = request.CreateSelfSigned(now.AddMinutes(-10), now.Add(validity));
        byte[] der = certificate.Export(X509ContentType.Cert);
        WriteAtomically(OwnKeyPath, System.Text.Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem()), privateFile: true);
        WriteAtomically(OwnCertificatePath, der, privateFile: false);
        return new UaApplicationCertificate(der, key, applicationUri);
    }

    /// <summary>True when exactly this certificate (by SHA-1 thumbprint) is in trusted/certs.</summary>
    public bool IsTrusted(X509Certificate2 certificate)
    {
        string thumbprint = certificate.Thumbprint;
        foreach (StoredCertificate stored in List(TrustedDirectory))
        {
            if (string.Equals(stored.Thumbprint, thumbprint, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public bool HasTrustedCertificates => List(TrustedDirectory).Count > 0;

    /// <summary>Copies a certificate into rejected/certs (a record for the technician, not a deny list).</summary>
    public string Reject(X509Certificate2 certificate) => Write(RejectedDirectory, certificate);

    /// <summary>Copies a certificate into trusted/certs (trust on first use, tests).</summary>
    public string AddTrusted(X509Certificate2 certificate) => Write(TrustedDirectory, certificate);

    /// <summary>
    /// Moves the rejected certificate whose thumbprint starts with <paramref name="thumbprint"/> (at least 8 hex
    /// digits) to trusted/certs. Returns the trusted file, or null with the reason.
    /// </summary>
    public string? Trust(string thumbprint, out string? error)
    {
        if (thumbprint.Length < 8)
        {
            error = "give at least 8 hex digits of the thumbprint (as printed by `smartcity-edge opcua certs`)";
            return null;
        }

        List<StoredCertificate> matches = List(RejectedDirectory).Where(c => c.Thumbprint.StartsWith(thumbprint, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count != 1)
        {
            error = matches.Count == 0 ? $"no rejected certificate with thumbprint {thumbprint} in {RejectedDirectory}" : $"thumbprint {thumbprint} is ambiguous ({matches.Count} rejected certificates)";
            return null;
        }

        using X509Certificate2 certificate = X509CertificateLoader.LoadCertificate(File.ReadAllBytes(matches[0].Path));
        string trusted = Write(TrustedDirectory, certificate);
        File.Delete(matches[0].Path);
        error = null;
        return trusted;
    }

    /// <summary>Own, trusted and rejected certificates, for <c>smartcity-edge opcua certs</c>.</summary>
    public IReadOnlyList<StoredCertificate> List(string directory)
    {
        var result = new List<StoredCertificate>();
        if (!Directory.Exists(directory))
        {
            return result;
        }

        foreach (string file in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            if (!s_certificateExtensions.Contains(Path.GetExtension(file), StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            try
            {
                X509Certificate2 certificate = Path.GetExtension(file).Equals(".pem", StringComparison.OrdinalIgnoreCase)
                    ? X509Certificate2.CreateFromPem(File.ReadAllText(file))
                    : X509CertificateLoader.LoadCertificateFromFile(file);
                using (certificate)
                {
                    result.Add(new StoredCertificate(file, certificate.Thumbprint, certificate.Subject, UaCertificateInfo.ApplicationUriOf(certificate), certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime()));
                }
            }
            catch (Exception ex) when (ex is CryptographicException or IOException or AsnContentException)
            {
                // A stray non-certificate file is shown, never fatal.
                result.Add(new StoredCertificate(file, "(unreadable)", ex.Message, null, default, default));
            }
        }

        return result;
    }

    private static string Write(string directory, X509Certificate2 certificate)
    {
        Directory.CreateDirectory(directory);
        string cn = certificate.GetNameInfo(X509NameType.SimpleName, false);
        string safe = new string(cn.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        string path = Path.Combine(directory, $"{(safe.Length == 0 ? "certificate" : safe)} [{certificate.Thumbprint}].der");
        WriteAtomically(path, certificate.RawData, privateFile: false);
        return path;
    }

    private static void WriteAtomically(string path, byte[] content, bool privateFile)
    {
        string temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // The private key is for our eyes only.
            options.UnixCreateMode = privateFile ? UnixFileMode.UserRead | UnixFileMode.UserWrite : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }

        using (var stream = new FileStream(temp, options))
        {
            stream.Write(content);
        }

        File.Move(temp, path, overwrite: true);
    }
}

/// <summary>A certificate file of the store.</summary>
public sealed record StoredCertificate(string Path, string Thumbprint, string Subject, string? ApplicationUri, DateTime NotBefore, DateTime NotAfter);

/// <summary>Our application instance certificate and its key.</summary>
public sealed record UaApplicationCertificate(byte[] Certificate, RSA PrivateKey, string ApplicationUri);
