namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// One PDU (RFC 3416 §3): <c>[tag] { request-id, error-status, error-index, VarBindList }</c>; a GetBulk carries
/// non-repeaters and max-repetitions in the two error slots. The SNMPv1 Trap-PDU (RFC 1157 §4.1.6) has its own
/// fields (<see cref="Enterprise"/> … <see cref="TimeStamp"/>) before its varbinds.
/// </summary>
public sealed class SnmpPdu
{
    public SnmpPdu(SnmpPduType type, int requestId, IReadOnlyList<SnmpVarBind> varBinds, int errorStatus = 0, int errorIndex = 0)
    {
        Type = type;
        RequestId = requestId;
        VarBinds = varBinds;
        ErrorStatus = errorStatus;
        ErrorIndex = errorIndex;
    }

    public SnmpPduType Type { get; }

    public int RequestId { get; }

    /// <summary>error-status, or non-repeaters of a GetBulk.</summary>
    public int ErrorStatus { get; }

    /// <summary>error-index (1-based, 0 = the whole PDU), or max-repetitions of a GetBulk.</summary>
    public int ErrorIndex { get; }

    public IReadOnlyList<SnmpVarBind> VarBinds { get; }

    public SnmpOid Enterprise { get; init; }

    public byte[] AgentAddress { get; init; } = [0, 0, 0, 0];

    public int GenericTrap { get; init; }

    public int SpecificTrap { get; init; }

    public uint TimeStamp { get; init; }

    public static SnmpPdu GetBulk(int requestId, int nonRepeaters, int maxRepetitions, IReadOnlyList<SnmpVarBind> varBinds) =>
        new(SnmpPduType.GetBulkRequest, requestId, varBinds, nonRepeaters, maxRepetitions);
}
