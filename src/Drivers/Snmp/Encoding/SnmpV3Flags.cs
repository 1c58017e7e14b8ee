namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>msgFlags (RFC 3412 §6.4): priv never without auth; reportable on requests, never on Response/Trap/Report.</summary>
[Flags]
internal enum SnmpV3Flags : byte
{
    None = 0,
    Auth = 1,
    Priv = 2,
    Reportable = 4,
}
