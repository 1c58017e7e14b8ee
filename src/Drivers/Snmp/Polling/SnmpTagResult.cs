namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>What one poll got for one OID: a value, or why not (an exception value, an error-status, a malformed value).</summary>
internal readonly record struct SnmpTagResult(SnmpValue Value, string? Failure)
{
    public static SnmpTagResult Failed(string reason) => new(default, reason);

    public static SnmpTagResult Of(SnmpValue value) => value.Type switch
    {
        SnmpType.NoSuchObject => Failed("noSuchObject"),
        SnmpType.NoSuchInstance => Failed("noSuchInstance"),
        SnmpType.EndOfMibView => Failed("endOfMibView"),
        SnmpType.Malformed => Failed("malformed value: " + value.MalformedReason),
        SnmpType.Null => Failed("NULL value"),
        _ => new(value, null),
    };
}
