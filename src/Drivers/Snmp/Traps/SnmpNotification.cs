using System.Net;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// A trap or inform as the listener hands it to a device: its snmpTrapOID (a v1 trap translated per RFC 3584 §3.1:
/// <c>1.3.6.1.6.3.1.1.5.(generic+1)</c>, or <c>enterprise.0.specific</c> with <see cref="AlternateTrapOid"/>
/// <c>enterprise.specific</c>, as v1 agents of v2 MIBs send both), the sender's sysUpTime and the payload varbinds.
/// </summary>
internal sealed record SnmpNotification(
    IPEndPoint Source,
    SnmpVersion Version,
    bool IsInform,
    SnmpOid TrapOid,
    SnmpOid? AlternateTrapOid,
    uint Uptime,
    IReadOnlyList<SnmpVarBind> VarBinds)
{
    public static readonly SnmpOid SysUpTime = SnmpOid.Parse("1.3.6.1.2.1.1.3.0");
    public static readonly SnmpOid SnmpTrapOid = SnmpOid.Parse("1.3.6.1.6.3.1.1.4.1.0");
    private static readonly SnmpOid s_genericTraps = SnmpOid.Parse("1.3.6.1.6.3.1.1.5");

    public bool Is(SnmpOid trap) => TrapOid == trap || AlternateTrapOid == trap;

    /// <summary>
    /// The notification in an SNMPv2-Trap or InformRequest PDU (RFC 3416 §4.2.6: sysUpTime.0, snmpTrapOID.0, payload),
    /// or null when its first two varbinds are not those.
    /// </summary>
    public static SnmpNotification? FromV2(IPEndPoint source, SnmpVersion version, SnmpPdu pdu)
    {
        if (pdu.VarBinds.Count < 2
            || pdu.VarBinds[0].Oid != SysUpTime || pdu.VarBinds[0].Value.Type != SnmpType.TimeTicks
            || pdu.VarBinds[1].Oid != SnmpTrapOid || pdu.VarBinds[1].Value.Type != SnmpType.ObjectIdentifier)
        {
            return null;
        }

        return new SnmpNotification(source, version, pdu.Type == SnmpPduType.InformRequest, pdu.VarBinds[1].Value.AsOid(), null, (uint)pdu.VarBinds[0].Value.AsUInt64(), pdu.VarBinds.Skip(2).ToArray());
    }

    /// <summary>A v1 Trap-PDU translated per RFC 3584 §3.1.</summary>
    public static SnmpNotification FromV1(IPEndPoint source, SnmpPdu pdu)
    {
        SnmpOid trap;
        SnmpOid? alternate = null;
        if (pdu.GenericTrap < 6)
        {
            trap = s_genericTraps.Append((uint)pdu.GenericTrap + 1);
        }
        else
        {
            trap = pdu.Enterprise.Append(0, (uint)pdu.SpecificTrap);
            alternate = pdu.Enterprise.Append((uint)pdu.SpecificTrap);
        }

        return new SnmpNotification(source, SnmpVersion.V1, false, trap, alternate, pdu.TimeStamp, pdu.VarBinds);
    }
}
