namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>How a tag's value reaches the gateway.</summary>
public enum OpcUaTagMode
{
    /// <summary>A monitored item: the server pushes changes (default).</summary>
    Subscribe,

    /// <summary>Read on every poll interval.</summary>
    Poll,
}

/// <summary>Validated settings of a <c>driver: opcua</c> device.</summary>
/// <param name="Endpoint">The server's <c>opc.tcp://</c> URL.</param>
/// <param name="Security">The <c>security:</c> block (policy, mode, certificate checks).</param>
/// <param name="UserName">Null for anonymous.</param>
/// <param name="Password">The user's password (never logged).</param>
/// <param name="UserCertificate">X.509 user identity files, instead of a user name.</param>
/// <param name="PublishingInterval">How often the server sends collected changes.</param>
/// <param name="KeepAliveInterval">How long a quiet subscription may stay silent before a keep-alive.</param>
/// <param name="SessionTimeout">Requested session timeout: a reconnect within it loses nothing.</param>
/// <param name="RequestTimeout">Timeout of each service call.</param>
/// <param name="Tags">One entry per configured tag, in configuration order.</param>
public sealed record OpcUaSettings(
    UaEndpointUrl Endpoint,
    UaSecurityConfiguration Security,
    string? UserName,
    string? Password,
    OpcUaUserCertificateFiles? UserCertificate,
    TimeSpan PublishingInterval,
    TimeSpan KeepAliveInterval,
    TimeSpan SessionTimeout,
    TimeSpan RequestTimeout,
    IReadOnlyList<OpcUaTagSettings> Tags) : DriverSettings
{
    /// <summary>
    /// <c>auth.allow_insecure_password: true</c> with a user name over policy None: allowed, with a warning at every
    /// start; the password is still only sent encrypted with the server's certificate, after checking it against the
    /// trust list in <c>{data_dir}/pki</c>.
    /// </summary>
    public bool AllowInsecurePassword { get; init; }

    /// <summary>Alarms &amp; conditions (<c>events:</c>); null when off.</summary>
    public OpcUaEventSettings? Events { get; init; }

    /// <inheritdoc/>
    public override bool ReportsDeviceAlarms => Events is not null;

    /// <summary>Keeps the password out of logs and exception messages.</summary>
    public override string ToString() => $"OpcUaSettings {{ Endpoint = {Endpoint}, User = {UserName ?? "(anonymous)"}, Tags = {Tags.Count} }}";
}

/// <summary>One OPC UA tag.</summary>
/// <param name="Id">Tag id.</param>
/// <param name="NodeId">The node, when given as <c>node:</c> (by namespace index, or by URI with <c>nsu=</c>).</param>
/// <param name="Path">Browse names from the Objects folder, when given as <c>path:</c>.</param>
/// <param name="Mode">Subscribe or poll.</param>
/// <param name="SamplingInterval">Server-side sampling of a subscribed tag.</param>
/// <param name="QueueSize">Changes the server queues between publishes (more = none lost in bursts and stalls).</param>
/// <param name="DeadbandType">None, absolute, or percent of the EURange.</param>
/// <param name="Deadband">The deadband value.</param>
public sealed record OpcUaTagSettings(
    string Id,
    UaNodeReference? NodeId,
    IReadOnlyList<UaQualifiedName>? Path,
    OpcUaTagMode Mode,
    TimeSpan SamplingInterval,
    uint QueueSize,
    UaDeadbandType DeadbandType,
    double Deadband)
{
    /// <summary>The node or path as written in the configuration, for messages.</summary>
    public string Source => NodeId is { } node ? node.ToString() : "/Objects/" + string.Join('/', Path!.Select(p => p.ToString()));
}

/// <summary>An X.509 user identity (<c>auth: { certificate_file, key_file }</c>): certificate PEM/DER and RSA key PEM.</summary>
public sealed record OpcUaUserCertificateFiles(string CertificateFile, string KeyFile);
