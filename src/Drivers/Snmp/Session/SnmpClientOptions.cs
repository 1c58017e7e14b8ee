using System.Net;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>How an <see cref="SnmpClient"/> reaches and authenticates to one agent.</summary>
public sealed record SnmpClientOptions
{
    /// <summary>The agent's address and port (161 by default).</summary>
    public required IPEndPoint Agent { get; init; }

    public SnmpVersion Version { get; init; } = SnmpVersion.V2c;

    /// <summary>v1/v2c community (a secret: never logged).</summary>
    public string Community { get; init; } = "public";

    /// <summary>v3 user; required for <see cref="SnmpVersion.V3"/>.</summary>
    public UsmUser? User { get; init; }

    /// <summary>v3 security level; defaults to the user's strongest.</summary>
    public SnmpSecurityLevel? SecurityLevel { get; init; }

    /// <summary>v3 contextName (empty: the default context).</summary>
    public string ContextName { get; init; } = string.Empty;

    /// <summary>Time to wait for each reply.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Retransmissions after the first send.</summary>
    public int Retries { get; init; } = 1;

    /// <summary>msgMaxSize we announce (v3) and the largest request we build.</summary>
    public int MaxMessageSize { get; init; } = 65507;

    /// <summary>Keeps the community out of logs.</summary>
    public override string ToString() => $"SnmpClientOptions {{ Agent = {Agent}, Version = {Version}, User = {User?.Name ?? "-"} }}";
}
