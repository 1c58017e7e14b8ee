namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>A Response with an error-status (RFC 3416 §3): request-scoped, the agent is reachable.</summary>
internal sealed class SnmpErrorStatusException : SnmpException
{
    public SnmpErrorStatusException(SnmpErrorStatus status, int index, SnmpOid? oid)
        : base(Describe(status, index, oid), status == SnmpErrorStatus.TooBig ? "too_big" : "error_status")
    {
        Status = status;
        Index = index;
        Oid = oid;
    }

    public SnmpErrorStatus Status { get; }

    /// <summary>error-index: 1-based position of the varbind at fault, 0 for the whole PDU.</summary>
    public int Index { get; }

    public SnmpOid? Oid { get; }

    /// <summary>The status as readings and logs show it: <c>noSuchName (2)</c>.</summary>
    public static string Name(SnmpErrorStatus status)
    {
        string name = Enum.IsDefined(status) ? status.ToString() : "unknown";
        return char.ToLowerInvariant(name[0]) + name[1..] + " (" + ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture) + ")";
    }

    private static string Describe(SnmpErrorStatus status, int index, SnmpOid? oid)
    {
        string where = oid is { } at ? $" at {at}" : index > 0 ? $" at varbind {index}" : string.Empty;
        string hint = status switch
        {
            SnmpErrorStatus.AuthorizationError => ": the user may not read this (VACM view or security level too low at the agent)",
            SnmpErrorStatus.NoSuchName => ": the agent has no such object (SNMPv1)",
            SnmpErrorStatus.TooBig => ": the reply would not fit one message",
            _ => string.Empty,
        };
        return $"the agent answered {Name(status)}{where}{hint}";
    }
}
