namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>One poll: per scalar tag its result (in tag order; walk tags have a default entry), and the walked rows per walk tag.</summary>
internal sealed class SnmpPollResult
{
    public SnmpPollResult(int tagCount)
    {
        Scalars = new SnmpTagResult[tagCount];
        Walks = new IReadOnlyList<SnmpVarBind>?[tagCount];
        WalkFailures = new string?[tagCount];
    }

    public SnmpTagResult[] Scalars { get; }

    public IReadOnlyList<SnmpVarBind>?[] Walks { get; }

    /// <summary>Why a walk tag failed as a whole (an error-status), else null.</summary>
    public string?[] WalkFailures { get; }

    /// <summary>When the replies arrived (local clock).</summary>
    public DateTimeOffset Timestamp { get; set; }

    /// <summary>Monotonic timestamp of the replies, for rates.</summary>
    public long MonotonicTimestamp { get; set; }
}
