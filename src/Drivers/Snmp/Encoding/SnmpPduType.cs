namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>The PDU tags (RFC 3416 §3, RFC 1157 §4.1).</summary>
public enum SnmpPduType : byte
{
    GetRequest = 0xA0,
    GetNextRequest = 0xA1,
    Response = 0xA2,
    SetRequest = 0xA3,

    /// <summary>SNMPv1 Trap-PDU (RFC 1157 §4.1.6), its own layout.</summary>
    TrapV1 = 0xA4,
    GetBulkRequest = 0xA5,
    InformRequest = 0xA6,
    TrapV2 = 0xA7,
    Report = 0xA8,
}
