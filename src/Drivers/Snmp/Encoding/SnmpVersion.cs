namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>msgVersion on the wire (RFC 1157 §4, RFC 1901 §3, RFC 3412 §6).</summary>
public enum SnmpVersion
{
    V1 = 0,
    V2c = 1,
    V3 = 3,
}
