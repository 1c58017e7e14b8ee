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

    /// <summary>User name for a UserName identity token; null = anonymous.</summary>
    public string? UserName { get; init; }

    public string? Password { get; init; }

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
