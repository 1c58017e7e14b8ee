namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// PDU ↔ BER.
/// <code>
/// PDU      ::= [A0..A3,A5..A8] { request-id INTEGER, error-status INTEGER, error-index INTEGER, VarBindList }
/// Trap-PDU ::= [A4] { enterprise OID, agent-addr IpAddress, generic-trap INTEGER, specific-trap INTEGER,
///                     time-stamp TimeTicks, VarBindList }
/// VarBindList ::= SEQUENCE OF SEQUENCE { name OID, value }
/// </code>
/// Decoding bounds the varbind count (<see cref="MaxVarBinds"/>) and accepts request-ids of any sign (agents echo ours).
/// </summary>
internal static class SnmpPduCodec
{
    /// <summary>More varbinds than fit a 65 507-byte datagram of minimal varbinds is a forged PDU.</summary>
    public const int MaxVarBinds = 8192;

    public static void Write(ref BerWriter writer, SnmpPdu pdu)
    {
        int mark = writer.Written;
        WriteVarBinds(ref writer, pdu.VarBinds);
        if (pdu.Type == SnmpPduType.TrapV1)
        {
            writer.WriteUnsigned(pdu.TimeStamp, BerTag.TimeTicks);
            writer.WriteInteger(pdu.SpecificTrap);
            writer.WriteInteger(pdu.GenericTrap);
            writer.WriteOctetString(pdu.AgentAddress, BerTag.IpAddress);
            writer.WriteOid(pdu.Enterprise);
        }
        else
        {
            writer.WriteInteger(pdu.ErrorIndex);
            writer.WriteInteger(pdu.ErrorStatus);
            writer.WriteInteger(pdu.RequestId);
        }

        writer.WriteConstructed((byte)pdu.Type, mark);
    }

    public static void WriteVarBinds(ref BerWriter writer, IReadOnlyList<SnmpVarBind> varBinds)
    {
        int listMark = writer.Written;
        for (int i = varBinds.Count - 1; i >= 0; i--)
        {
            int mark = writer.Written;
            SnmpValueCodec.Write(ref writer, varBinds[i].Value);
            writer.WriteOid(varBinds[i].Oid);
            writer.WriteConstructed(BerTag.Sequence, mark);
        }

        writer.WriteConstructed(BerTag.Sequence, listMark);
    }

    /// <summary>
    /// Reads a PDU. <paramref name="expected"/> (the request's OIDs, in order) lets an echoed OID reuse the request's
    /// instance instead of allocating a new one.
    /// </summary>
    public static SnmpPdu Read(ref BerReader reader, IReadOnlyList<SnmpOid>? expected = null)
    {
        byte tag = reader.PeekTag();
        if (tag is < (byte)SnmpPduType.GetRequest or > (byte)SnmpPduType.Report)
        {
            BerReader.Throw($"unknown PDU tag 0x{tag:X2}");
        }

        BerReader body = reader.ReadConstructed(tag, "PDU");
        var type = (SnmpPduType)tag;
        if (type == SnmpPduType.TrapV1)
        {
            SnmpOid enterprise = body.ReadOid("Trap-PDU enterprise");
            ReadOnlySpan<byte> agent = body.Read(BerTag.IpAddress, "Trap-PDU agent-addr");
            if (agent.Length != 4)
            {
                BerReader.Throw($"Trap-PDU agent-addr of {agent.Length} octets, not 4");
            }

            int generic = (int)body.ReadInteger("Trap-PDU generic-trap", 0, 6);
            int specific = (int)body.ReadInteger("Trap-PDU specific-trap");
            ReadOnlySpan<byte> stamp = body.Read(BerTag.TimeTicks, "Trap-PDU time-stamp");
            if (!BerInteger.TryReadUnsigned(stamp, 4, out ulong timeStamp))
            {
                BerReader.Throw("Trap-PDU time-stamp out of range");
            }

            List<SnmpVarBind> trapBinds = ReadVarBinds(ref body, null);
            return new SnmpPdu(type, 0, trapBinds)
            {
                Enterprise = enterprise,
                AgentAddress = agent.ToArray(),
                GenericTrap = generic,
                SpecificTrap = specific,
                TimeStamp = (uint)timeStamp,
            };
        }

        int requestId = (int)body.ReadInteger("request-id");
        int errorStatus = (int)body.ReadInteger("error-status");
        int errorIndex = (int)body.ReadInteger("error-index");
        List<SnmpVarBind> varBinds = ReadVarBinds(ref body, expected);
        return new SnmpPdu(type, requestId, varBinds, errorStatus, errorIndex);
    }

    private static List<SnmpVarBind> ReadVarBinds(ref BerReader body, IReadOnlyList<SnmpOid>? expected)
    {
        BerReader list = body.ReadSequence("VarBindList");
        var varBinds = new List<SnmpVarBind>(expected?.Count ?? 4);
        Span<uint> arcs = stackalloc uint[SnmpOid.MaxArcs];
        while (list.HasMore)
        {
            if (varBinds.Count == MaxVarBinds)
            {
                BerReader.Throw($"more than {MaxVarBinds} varbinds");
            }

            BerReader varBind = list.ReadSequence("VarBind");
            ReadOnlySpan<byte> oidContent = varBind.Read(BerTag.ObjectIdentifier, "VarBind name");
            if (!BerOid.TryReadContent(oidContent, arcs, out int count, out string? error))
            {
                BerReader.Throw($"VarBind name: {error}");
            }

            int index = varBinds.Count;
            SnmpOid oid = expected is not null && index < expected.Count && expected[index].Arcs.SequenceEqual(arcs[..count])
                ? expected[index]
                : SnmpOid.FromArcs(arcs[..count]);
            ReadOnlySpan<byte> content = varBind.ReadAny(out byte valueTag, out _);
            if (varBind.HasMore)
            {
                BerReader.Throw("VarBind with more than a name and a value");
            }

            varBinds.Add(new SnmpVarBind(oid, SnmpValueCodec.Read(valueTag, content)));
        }

        return varBinds;
    }
}
