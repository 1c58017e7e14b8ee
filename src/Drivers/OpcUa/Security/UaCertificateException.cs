namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// A certificate was refused (ours or the server's): untrusted, expired, wrong ApplicationUri or host name, key
/// usage or size. Carries the OPC UA code (Bad_CertificateUntrusted, Bad_CertificateTimeInvalid, …). Connection-fatal:
/// retrying does not help until a technician acts (trust it, renew it, fix the configuration).
/// </summary>
public sealed class UaCertificateException : UaException
{
    public UaCertificateException(UaStatusCode statusCode, string message, Exception? innerException = null)
        : base(statusCode, message, innerException)
    {
    }

    /// <summary>The refused server certificate's SHA-256 fingerprint, when there is one (what <c>smartcity-edge opcua trust</c> takes).</summary>
    public string? Thumbprint { get; init; }
}
