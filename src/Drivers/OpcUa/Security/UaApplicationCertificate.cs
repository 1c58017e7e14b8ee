using System.Security.Cryptography;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>Our application instance certificate (DER), its key, and what the gateway reports about it.</summary>
/// <param name="Certificate">The DER certificate.</param>
/// <param name="PrivateKey">Its RSA key.</param>
/// <param name="ApplicationUri">The ApplicationUri in its SubjectAltName.</param>
public sealed record UaApplicationCertificate(byte[] Certificate, RSA PrivateKey, string ApplicationUri)
{
    /// <summary>Longest renewal window: a certificate is renewed at the latest 30 days before it expires.</summary>
    public static readonly TimeSpan MaxRenewalWindow = TimeSpan.FromDays(30);

    public DateTimeOffset NotBefore { get; init; }

    public DateTimeOffset NotAfter { get; init; }

    /// <summary>SHA-256 fingerprint (what a server's trust list shows, and <c>opcua certs</c>).</summary>
    public string Thumbprint => UaCertificateFingerprint.Of(Certificate);

    public UaOwnCertificateOrigin Origin { get; init; } = UaOwnCertificateOrigin.Loaded;

    /// <summary>When the replaced certificate expired or would have (Renewed, ReplacedExpired); null otherwise.</summary>
    public DateTimeOffset? PreviousNotAfter { get; init; }

    /// <summary>From this moment on the certificate is renewed (the next connect replaces it).</summary>
    public DateTimeOffset RenewAt => NotAfter - RenewalWindow(NotBefore, NotAfter);

    /// <summary>
    /// The renewal window: 30 days, or a fifth of the lifetime for short-lived certificates (a 10-day certificate is
    /// renewed 2 days before it expires; a window as long as the lifetime would renew it at every start).
    /// </summary>
    public static TimeSpan RenewalWindow(DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        TimeSpan fifth = (notAfter - notBefore) / 5;
        return fifth < MaxRenewalWindow ? fifth : MaxRenewalWindow;
    }
}
