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
/// pki/trusted/certs/*.der|*.pem|*.crt   server certificates we trust (exact certificate, by SHA-256 of its DER)
/// pki/rejected/certs/*.der              refused server certificates, kept for `smartcity-edge opcua trust` (at most 100)
/// </code>
/// </summary>
public sealed class UaCertificateStore
{
    private const string OwnName = "smartcity-edge";
    private static readonly string[] s_certificateExtensions = [".der", ".pem", ".crt", ".cer"];

    /// <summary>Most files kept in rejected/certs; the oldest go first.</summary>
    public const int MaxRejected = 100;

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
    /// Loads our application certificate, creating it when missing, and replacing it when it is inside its renewal
    /// window (<see cref="UaApplicationCertificate.RenewalWindow"/>), expired, for another ApplicationUri, or when its
    /// key file does not belong to it. <see cref="UaApplicationCertificate.Origin"/> says which; a replaced
    /// certificate is a new, untrusted client to every server that does not accept unknown clients.
    /// </summary>
    /// <remarks>
    /// Held under a lock file (<c>pki/own/.lock</c>): several devices, the service and the technician tool all start by
    /// loading this certificate, and two of them renewing at once would leave one's key beside the other's certificate.
    /// </remarks>
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
        using UaPkiLock _ = UaPkiLock.Acquire(Path.Combine(Root, "own", ".lock"));
        DateTimeOffset now = time.GetUtcNow();
        UaOwnCertificateOrigin origin = UaOwnCertificateOrigin.Created;
        DateTimeOffset? previousNotAfter = null;
        if (File.Exists(OwnCertificatePath) && File.Exists(OwnKeyPath))
        {
            byte[] der = File.ReadAllBytes(OwnCertificatePath);
            using X509Certificate2 existing = X509CertificateLoader.LoadCertificate(der);
            var notBefore = new DateTimeOffset(existing.NotBefore.ToUniversalTime());
            var notAfter = new DateTimeOffset(existing.NotAfter.ToUniversalTime());
            origin = UaOwnCertificateOrigin.ReplacedMismatch;
            if (UaCertificateInfo.ApplicationUriOf(existing) == applicationUri)
            {
                var key = RSA.Create();
                key.ImportFromPem(File.ReadAllText(OwnKeyPath));

                // Two devices creating the certificate at the same first start (before the lock existed) may have left
                // one's key beside the other's certificate: such a pair can never sign, so it is replaced.
                bool pair = existing.GetRSAPublicKey()?.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()) == true;
                if (pair && now < notAfter - UaApplicationCertificate.RenewalWindow(notBefore, notAfter))
                {
                    return new UaApplicationCertificate(der, key, applicationUri) { NotBefore = notBefore, NotAfter = notAfter };
                }

                key.Dispose();
                if (pair)
                {
                    origin = now >= notAfter ? UaOwnCertificateOrigin.ReplacedExpired : UaOwnCertificateOrigin.Renewed;
                    previousNotAfter = notAfter;
                }
            }
        }

        return CreateOwn(applicationUri, applicationName, validity, now, keySize) with { Origin = origin, PreviousNotAfter = previousNotAfter };
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
        return new UaApplicationCertificate(der, key, applicationUri)
        {
            NotBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime()),
            NotAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime()),
        };
    }

    /// <summary>True when exactly this certificate — by the SHA-256 of its whole DER encoding — is in trusted/certs.</summary>
    /// <remarks>Compared on the file contents, never on file names: certificates trusted by older versions (named after their SHA-1 thumbprint) stay trusted.</remarks>
    public bool IsTrusted(X509Certificate2 certificate)
    {
        string fingerprint = UaCertificateFingerprint.Of(certificate);
        foreach (StoredCertificate stored in List(TrustedDirectory))
        {
            if (string.Equals(stored.Thumbprint, fingerprint, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public bool HasTrustedCertificates => List(TrustedDirectory).Any(c => c.IsReadable);

    /// <summary>
    /// Copies a certificate into rejected/certs (a record for the technician, not a deny list) and keeps that folder
    /// at <see cref="MaxRejected"/> files, removing the oldest: whoever can answer our connection attempts decides what
    /// lands there, so it must not grow without bound.
    /// </summary>
    public string Reject(X509Certificate2 certificate)
    {
        string path = Write(RejectedDirectory, certificate);
        PruneRejected();
        return path;
    }

    /// <summary>Copies a certificate into trusted/certs (trust on first use, tests).</summary>
    public string AddTrusted(X509Certificate2 certificate) => Write(TrustedDirectory, certificate);

    /// <summary>Removes exactly this certificate from trusted/certs (every file holding it); returns how many files.</summary>
    public int RemoveTrusted(X509Certificate2 certificate)
    {
        string fingerprint = UaCertificateFingerprint.Of(certificate);
        int removed = 0;
        foreach (StoredCertificate stored in List(TrustedDirectory).Where(c => c.Thumbprint == fingerprint))
        {
            File.Delete(stored.Path);
            removed++;
        }

        return removed;
    }

    /// <summary>
    /// Moves the rejected certificate whose SHA-256 fingerprint starts with <paramref name="thumbprint"/> (at least 8
    /// hex digits) to trusted/certs. A SHA-1 thumbprint printed by an older version is still accepted when it names
    /// exactly one rejected certificate; <paramref name="legacy"/> is then true so the caller can show the new form.
    /// Returns the trusted file, or null with the reason.
    /// </summary>
    public string? Trust(string thumbprint, out string? error) => Trust(thumbprint, out error, out _);

    /// <inheritdoc cref="Trust(string, out string?)"/>
    public string? Trust(string thumbprint, out string? error, out StoredCertificate? trusted)
    {
        trusted = null;
        thumbprint = thumbprint.Replace(":", string.Empty, StringComparison.Ordinal);
        if (thumbprint.Length < 8 || !UaCertificateFingerprint.IsHex(thumbprint))
        {
            error = "give at least 8 hex digits of the SHA-256 fingerprint (as printed by `smartcity-edge opcua certs` and in the refusal message)";
            return null;
        }

        IReadOnlyList<StoredCertificate> rejected = List(RejectedDirectory);
        List<StoredCertificate> matches = rejected.Where(c => c.IsReadable && c.Thumbprint.StartsWith(thumbprint, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count == 0 && thumbprint.Length <= UaCertificateFingerprint.LegacyLength)
        {
            matches = rejected.Where(c => c.LegacyThumbprint?.StartsWith(thumbprint, StringComparison.OrdinalIgnoreCase) == true).ToList();
        }

        if (matches.Count != 1)
        {
            error = matches.Count == 0 ? $"no rejected certificate with fingerprint {thumbprint} in {RejectedDirectory}" : $"fingerprint {thumbprint} is ambiguous ({matches.Count} rejected certificates): give more digits";
            return null;
        }

        using X509Certificate2 certificate = X509CertificateLoader.LoadCertificate(File.ReadAllBytes(matches[0].Path));
        string path = Write(TrustedDirectory, certificate);
        File.Delete(matches[0].Path);
        error = null;
        trusted = matches[0];
        return path;
    }

    /// <summary>
    /// Renames certificate files that older versions named after the SHA-1 thumbprint (<c>CN [SHA1].der</c>) to the
    /// SHA-256 form, in trusted/certs and rejected/certs. Cosmetic (trust compares contents), so the names match what
    /// every message prints; a file whose new name is taken is left alone.
    /// </summary>
    public void UpgradeLegacyFileNames()
    {
        foreach (string directory in new[] { TrustedDirectory, RejectedDirectory })
        {
            foreach (StoredCertificate stored in List(directory))
            {
                string name = Path.GetFileNameWithoutExtension(stored.Path);
                if (stored.LegacyThumbprint is not { } legacy || !name.EndsWith($"[{legacy}]", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                string renamed = Path.Combine(directory, string.Concat(name.AsSpan(0, name.Length - legacy.Length - 2), $"[{stored.Thumbprint}]", Path.GetExtension(stored.Path)));
                try
                {
                    File.Move(stored.Path, renamed, overwrite: false);
                }
                catch (IOException)
                {
                    // Taken (the same certificate saved again meanwhile) or gone: nothing to tidy.
                }
            }
        }
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
                    result.Add(new StoredCertificate(file, UaCertificateFingerprint.Of(certificate), certificate.Subject, UaCertificateInfo.ApplicationUriOf(certificate), certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime())
                    {
                        LegacyThumbprint = UaCertificateFingerprint.LegacyOf(certificate),
                    });
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
        string path = Path.Combine(directory, $"{(safe.Length == 0 ? "certificate" : safe)} [{UaCertificateFingerprint.Of(certificate)}].der");
        WriteAtomically(path, certificate.RawData, privateFile: false);
        return path;
    }

    private void PruneRejected()
    {
        FileInfo[] files = new DirectoryInfo(RejectedDirectory).EnumerateFiles()
            .Where(f => s_certificateExtensions.Contains(f.Extension, StringComparer.OrdinalIgnoreCase))
            .OrderByDescending(f => f.LastWriteTimeUtc)
            .ThenByDescending(f => f.Name, StringComparer.Ordinal)
            .ToArray();
        foreach (FileInfo stale in files.Skip(MaxRejected))
        {
            try
            {
                stale.Delete();
            }
            catch (IOException)
            {
                // Removed by someone else already.
            }
        }
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

