namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>Where the application certificate a connection uses came from (what the driver logs).</summary>
public enum UaOwnCertificateOrigin
{
    /// <summary>The existing certificate, still well within its validity.</summary>
    Loaded,

    /// <summary>None existed: created on this first start.</summary>
    Created,

    /// <summary>The existing one was inside its renewal window (<see cref="UaApplicationCertificate.RenewalWindow"/>) and was replaced.</summary>
    Renewed,

    /// <summary>The existing one had expired and was replaced.</summary>
    ReplacedExpired,

    /// <summary>The existing one was for another ApplicationUri, or its key file did not belong to it, and was replaced.</summary>
    ReplacedMismatch,
}
