namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>A certificate file of the PKI folder (own, trusted or rejected).</summary>
/// <param name="Path">The file.</param>
/// <param name="Thumbprint">SHA-256 of the DER certificate, 64 hex digits (<see cref="UaCertificateFingerprint"/>); "(unreadable)" for a file that is no certificate.</param>
/// <param name="Subject">The subject, or why the file cannot be read.</param>
/// <param name="ApplicationUri">The SubjectAltName URI, if any.</param>
/// <param name="NotBefore">Start of validity (UTC).</param>
/// <param name="NotAfter">End of validity (UTC).</param>
public sealed record StoredCertificate(string Path, string Thumbprint, string Subject, string? ApplicationUri, DateTime NotBefore, DateTime NotAfter)
{
    /// <summary>The SHA-1 thumbprint older versions printed; still accepted by <c>smartcity-edge opcua trust</c>.</summary>
    public string? LegacyThumbprint { get; init; }

    public bool IsReadable => LegacyThumbprint is not null;
}
