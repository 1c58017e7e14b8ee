namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>One variable binding: an OID and its value (RFC 3416 §3).</summary>
public readonly record struct SnmpVarBind(SnmpOid Oid, SnmpValue Value)
{
    /// <summary>A request's varbind: the OID with a NULL value.</summary>
    public static SnmpVarBind Request(SnmpOid oid) => new(oid, SnmpValue.Null);

    /// <summary>As snmpget prints it with <c>-On</c>: <c>.1.3.6.1.2.1.1.3.0 = Timeticks: (12) 0:00:00.12</c>.</summary>
    public override string ToString() => "." + Oid + " = " + Value;
}
