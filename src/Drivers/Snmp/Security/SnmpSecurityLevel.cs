namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>securityLevel (RFC 3411 §3.4.3).</summary>
public enum SnmpSecurityLevel
{
    NoAuthNoPriv = 1,
    AuthNoPriv = 2,
    AuthPriv = 3,
}
