namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>How a <see cref="UaClient"/> connects and behaves.</summary>
public sealed record UaClientOptions
{
    public required UaEndpointUrl Endpoint { get; init; }

    /// <summary>Security policy URI wanted; without a <see cref="SecurityPolicyFactory"/> only None.</summary>
    public string SecurityPolicyUri { get; init; } = UaSecurityPolicyNone.Uri;

    public UaMessageSecurityMode SecurityMode { get; init; } = UaMessageSecurityMode.None;

    /// <summary>
    /// Creates the policy for a secured endpoint (its certificate, policy URI and mode) — the seam where the
    /// security policies plug in. Null: only None/None is accepted.
    /// </summary>
    public Func<UaEndpointDescription, IUaSecurityPolicy>? SecurityPolicyFactory { get; init; }

    /// <summary>
    /// Chooses the endpoint from GetEndpoints (e.g. <c>policy: auto</c>, <see cref="UaClientSecurity"/>); null = the
    /// one with exactly <see cref="SecurityPolicyUri"/> and <see cref="SecurityMode"/>.
    /// </summary>
    public Func<IReadOnlyList<UaEndpointDescription>, UaEndpointDescription>? EndpointSelector { get; init; }

    /// <summary>User name for a UserName identity token; null = anonymous.</summary>
    public string? UserName { get; init; }

    public string? Password { get; init; }

    /// <summary>
    /// Allows a user name and password on a channel with SecurityPolicy None (<c>auth.allow_insecure_password</c>).
    /// Even then the password is only sent encrypted with the server's certificate, and only after
    /// <see cref="ServerCertificateValidator"/> accepted that certificate; never in clear text.
    /// </summary>
    public bool AllowInsecurePassword { get; init; }

    /// <summary>
    /// Checks a server certificate we are about to rely on (trust list, validity, host name, ApplicationUri) and throws
    /// <see cref="UaCertificateException"/> when it must not be used. Needed for a password on a None channel: the
    /// certificate it is encrypted with comes from an unauthenticated GetEndpoints reply. Null: such a password is refused.
    /// </summary>
    public Action<UaEndpointDescription>? ServerCertificateValidator { get; init; }

    /// <summary>
    /// An X.509 user identity (OPC 10000-4 §7.36.5): its certificate and key; takes precedence over
    /// <see cref="UserName"/>. ActivateSession then carries a userTokenSignature made with this key.
    /// </summary>
    public UaUserCertificate? UserCertificate { get; init; }

    public string ApplicationName { get; init; } = "SmartCity.Edge";

    public string ApplicationUri { get; init; } = "urn:smartcity-edge:gateway";

    public string SessionName { get; init; } = "SmartCity.Edge";

    /// <summary>Asked for in CreateSession; the server revises it. A reconnect within it keeps the session.</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>First reconnect delay, doubled per failed attempt up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan MinReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Most Publish requests kept outstanding (OPC 10000-4 §5.13.5: several, so the server never waits for one).</summary>
    public int PublishRequestCount { get; init; } = 3;

    public UaSecureChannelOptions Channel { get; init; } = UaSecureChannelOptions.Default;
}
