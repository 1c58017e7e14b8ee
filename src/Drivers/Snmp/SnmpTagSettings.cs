namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>One SNMP tag (see sample.yaml).</summary>
/// <param name="Id">Tag id.</param>
/// <param name="Oid">The instance (<c>…1.3.0</c>) or, with <paramref name="Walk"/>, the column or subtree to walk.</param>
/// <param name="Rate">A Counter32/Counter64 published as its per-second rate (wrap-safe).</param>
/// <param name="Walk">Read the subtree with GetBulk: one reading per instance, tag id <c>{id}.{index}</c>.</param>
/// <param name="Format">OCTET STRING as text or hex.</param>
/// <param name="Scale">Numbers are multiplied by this (UPS-MIB tenths: 0.1).</param>
/// <param name="Offset">Added after scaling.</param>
internal sealed record SnmpTagSettings(string Id, SnmpOid Oid, bool Rate, bool Walk, SnmpValueFormat Format, double Scale, double Offset)
{
    /// <summary>OID values published as names (a profile's enumerations, e.g. UPS-MIB well-known alarms); null for none.</summary>
    public IReadOnlyDictionary<SnmpOid, string>? OidNames { get; init; }

    /// <summary>A profile's unit, when the tag comes from one.</summary>
    public string? Unit { get; init; }

    public bool IsScaled => Scale != 1 || Offset != 0;
}
