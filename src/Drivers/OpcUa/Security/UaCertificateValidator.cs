using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// Decides whether we talk to a server certificate (OPC 10000-4 §6.1.3 checks, in the order given there: structure,
/// trust, validity period, host name, ApplicationUri, key usage). The trust list holds exact certificates, compared on
/// the SHA-256 of the whole certificate (self-signed application certificates, the usual case in the field); a refused
/// certificate is copied to pki/rejected/certs and the error says how to trust it. Called for every certificate we
/// rely on: before a secured channel is opened or renewed, and before a password is encrypted with one.
/// </summary>
public sealed class UaCertificateValidator
{
    private readonly UaCertificateStore _store;
    private readonly UaCertificateValidationOptions _options;
    private readonly TimeProvider _time;

    public UaCertificateValidator(UaCertificateStore store, UaCertificateValidationOptions options, TimeProvider time)
    {
        _store = store;
        _options = options;
        _time = time;
    }

    /// <summary>Raised when trust-on-first-use added a certificate (thumbprint, file).</summary>
    public event Action<string, string>? TrustedOnFirstUse;

    /// <summary>Throws <see cref="UaCertificateException"/> unless the server's certificate passes every check.</summary>
    /// <param name="endpoint">The endpoint (its certificate, ApplicationUri).</param>
    /// <param name="host">The host of the URL we connect to.</param>
    public void Validate(UaEndpointDescription endpoint, string host)
    {
        try
        {
            ValidateCore(endpoint, host);
        }
        catch (Exception ex) when (ex is CryptographicException or System.Formats.Asn1.AsnContentException)
        {
            // Whatever the server sent must never escape as anything but a refused certificate (an ordinary connect failure).
            throw new UaCertificateException(new UaStatusCode(UaStatusCodes.BadCertificateInvalid), "the server's certificate is malformed: " + ex.Message, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UaCertificateException(new UaStatusCode(UaStatusCodes.BadInternalError), $"cannot use the PKI folder {_store.Root}: {ex.Message}", ex);
        }
    }

    private void ValidateCore(UaEndpointDescription endpoint, string host)
    {
        if (endpoint.ServerCertificate is not { Length: > 0 } raw)
        {
            throw new UaCertificateException(new UaStatusCode(UaStatusCodes.BadCertificateInvalid), "the server's endpoint has no certificate");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(UaCertificateInfo.LeafOf(raw));
        }
        catch (CryptographicException ex)
        {
            throw new UaCertificateException(new UaStatusCode(UaStatusCodes.BadCertificateInvalid), "the server's certificate cannot be parsed: " + ex.Message, ex);
        }

        using (certificate)
        {
            string fingerprint = UaCertificateFingerprint.Of(certificate);
            if (!_store.IsTrusted(certificate))
            {
                if (_options.TrustOnFirstUse && !_store.HasTrustedCertificates)
                {
                    string file = _store.AddTrusted(certificate);
                    TrustedOnFirstUse?.Invoke(fingerprint, file);
                }
                else
                {
                    string file = _store.Reject(certificate);
                    throw new UaCertificateException(
                        new UaStatusCode(UaStatusCodes.BadCertificateUntrusted),
                        $"the server certificate '{certificate.Subject}' (SHA-256 {fingerprint}) is not trusted; it was saved as {file}. " +
                        $"If it is the right server, trust it with: smartcity-edge opcua trust {fingerprint}")
                    { Thumbprint = fingerprint };
                }
            }

            DateTime now = _time.GetUtcNow().UtcDateTime;
            if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
            {
                throw new UaCertificateException(
                    new UaStatusCode(UaStatusCodes.BadCertificateTimeInvalid),
                    $"the server certificate (SHA-256 {fingerprint}) is valid from {certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u}, not now ({now:u}); the server needs a new certificate");
            }

            if (_options.CheckHostName)
            {
                IReadOnlyList<string> hosts = UaCertificateInfo.HostNamesOf(certificate);
                if (!hosts.Any(h => string.Equals(h, host, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new UaCertificateException(
                        new UaStatusCode(UaStatusCodes.BadCertificateHostNameInvalid),
                        $"the server certificate is for host(s) {(hosts.Count == 0 ? "(none)" : string.Join(", ", hosts))}, not '{host}'; connect by one of those names or set security.check_hostname: false");
                }
            }

            string? uri = UaCertificateInfo.ApplicationUriOf(certificate);
            if (endpoint.Server.ApplicationUri is { Length: > 0 } expected && !string.Equals(uri, expected, StringComparison.Ordinal))
            {
                throw new UaCertificateException(
                    new UaStatusCode(UaStatusCodes.BadCertificateUriInvalid),
                    $"the server certificate names ApplicationUri '{uri}', the server says it is '{expected}'");
            }

            foreach (X509Extension extension in certificate.Extensions)
            {
                if (extension is X509KeyUsageExtension usage &&
                    (!usage.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature) ||
                     !(usage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyEncipherment) || usage.KeyUsages.HasFlag(X509KeyUsageFlags.DataEncipherment))))
                {
                    throw new UaCertificateException(
                        new UaStatusCode(UaStatusCodes.BadCertificateUseNotAllowed),
                        $"the server certificate's key usage ({usage.KeyUsages}) does not allow signing and encryption");
                }
            }
        }
    }
}

/// <summary>What the validator checks beyond trust.</summary>
/// <param name="TrustOnFirstUse">Trust the first server certificate seen when the trust list is empty (off by default).</param>
/// <param name="CheckHostName">Require the endpoint host among the certificate's DNS names / IP addresses.</param>
public sealed record UaCertificateValidationOptions(bool TrustOnFirstUse = false, bool CheckHostName = true);
