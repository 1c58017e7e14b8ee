namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// The community-based message of SNMPv1 and v2c (RFC 1157 §4, RFC 1901 §3):
/// <code>
/// 30 { version INTEGER (0 = v1, 1 = v2c), community OCTET STRING, PDU }
/// </code>
/// </summary>
internal static class SnmpCommunityMessage
{
    /// <summary>RFC 3414 caps names at 32; communities are not bounded by a spec, but no real one is longer than this.</summary>
    public const int MaxCommunityLength = 255;

    /// <summary>Encodes into the end of <paramref name="buffer"/> and returns the encoded bytes.</summary>
    public static Span<byte> Write(Span<byte> buffer, SnmpVersion version, scoped ReadOnlySpan<byte> community, SnmpPdu pdu)
    {
        var writer = new BerWriter(buffer);
        SnmpPduCodec.Write(ref writer, pdu);
        writer.WriteOctetString(community);
        writer.WriteInteger((int)version);
        writer.WriteConstructed(BerTag.Sequence, 0);
        return writer.Encoded;
    }

    /// <summary>The message's version, read from its first field; throws <see cref="SnmpDecodeException"/> when it is no SNMP message.</summary>
    public static SnmpVersion PeekVersion(ReadOnlySpan<byte> message)
    {
        var outer = new BerReader(message);
        BerReader body = outer.ReadSequence("message");
        long version = body.ReadInteger("msgVersion", 0, 3);
        if (version == 2)
        {
            BerReader.Throw("msgVersion 2 (SNMPv2u/v2*) is not supported");
        }

        return (SnmpVersion)version;
    }

    /// <summary>Decodes a v1/v2c message; <paramref name="community"/> is a slice of <paramref name="message"/>.</summary>
    public static SnmpPdu Read(ReadOnlySpan<byte> message, out SnmpVersion version, out ReadOnlySpan<byte> community, IReadOnlyList<SnmpOid>? expected = null)
    {
        var outer = new BerReader(message);
        BerReader body = outer.ReadSequence("message");
        version = (SnmpVersion)body.ReadInteger("msgVersion", 0, 1);
        community = body.ReadOctetString("community", MaxCommunityLength);
        SnmpPdu pdu = SnmpPduCodec.Read(ref body, expected);
        if (body.HasMore)
        {
            BerReader.Throw("bytes after the PDU");
        }

        if (pdu.Type == SnmpPduType.TrapV1 != (version == SnmpVersion.V1) && pdu.Type is SnmpPduType.TrapV1)
        {
            BerReader.Throw("a v1 Trap-PDU in a v2c message");
        }

        return pdu;
    }
}
