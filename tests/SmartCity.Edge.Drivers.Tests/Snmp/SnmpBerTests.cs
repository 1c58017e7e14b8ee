using SmartCity.Edge.Drivers.Snmp;

namespace SmartCity.Edge.Drivers.Tests.Snmp;

/// <summary>BER codec on hand-built bytes: every example of snmp-notes §1 both ways, length boundaries, hostile input.</summary>
public sealed class SnmpBerTests
{
    [Theory]
    [InlineData(0L, "020100")]
    [InlineData(127L, "02017F")]
    [InlineData(128L, "02020080")]
    [InlineData(255L, "020200FF")]
    [InlineData(-1L, "0201FF")]
    [InlineData(-128L, "020180")]
    [InlineData(-129L, "0202FF7F")]
    [InlineData(65507L, "020300FFE3")]
    [InlineData(int.MaxValue, "02047FFFFFFF")]
    [InlineData(int.MinValue, "020480000000")]
    public void Integer_Encoding_IsMinimalTwosComplement(long value, string hex)
    {
        Assert.Equal(hex, Encode((ref BerWriter w) => w.WriteInteger(value)));
        var reader = new BerReader(Convert.FromHexString(hex));
        Assert.Equal(value, reader.ReadInteger("x"));
    }

    [Theory]
    [InlineData(0x41, 3684922176UL, "410500DBA37340")]
    [InlineData(0x42, 0UL, "420100")]
    [InlineData(0x43, 128UL, "43020080")]
    [InlineData(0x46, ulong.MaxValue, "460900FFFFFFFFFFFFFFFF")]
    [InlineData(0x46, 1UL << 63, "4609008000000000000000")]
    public void Unsigned_Encoding_CarriesLeadingZeroForTopBit(byte tag, ulong value, string hex)
    {
        Assert.Equal(hex, Encode((ref BerWriter w) => w.WriteUnsigned(value, tag)));
        SnmpValue decoded = ReadValue(hex);
        Assert.Equal((SnmpType)tag, decoded.Type);
        Assert.Equal(value, decoded.AsUInt64());
    }

    [Fact]
    public void Counter32_WithoutLeadingZero_DecodesUnsigned()
    {
        SnmpValue value = ReadValue("4104DBA37340");
        Assert.Equal(3684922176UL, value.AsUInt64());
    }

    [Theory]
    [InlineData("4106010000000000")] // 6 significant octets in a Counter32
    [InlineData("4100")] // empty
    [InlineData("02050100000000")] // outside Integer32
    [InlineData("400300000A")] // IpAddress of 3 octets
    [InlineData("470100")] // unknown application tag
    public void Value_OverlongOrUnknown_IsMalformedNotThrown(string hex)
    {
        Assert.Equal(SnmpType.Malformed, ReadValue(hex).Type);
    }

    [Theory]
    [InlineData("1.3.6.1.2.1.1.1.0", "06082B06010201010100")]
    [InlineData("1.3.6.1.4.1.8072", "06072B06010401BF08")]
    [InlineData("1.3.4294967295", "06062B8FFFFFFF7F")]
    [InlineData("2.999", "06028837")]
    [InlineData("0.0", "060100")]
    [InlineData("1.3.6.1.128", "06052B06018100")]
    public void Oid_Encoding_MatchesX690(string text, string hex)
    {
        SnmpOid oid = SnmpOid.Parse(text);
        Assert.Equal(hex, Encode((ref BerWriter w) => w.WriteOid(oid)));
        var reader = new BerReader(Convert.FromHexString(hex));
        Assert.Equal(oid, reader.ReadOid("x"));
    }

    [Theory]
    [InlineData("06022B80")] // ends inside a sub-identifier
    [InlineData("06032B8001")] // leading 0x80 group
    [InlineData("06072B9080808000")] // arc beyond uint32
    [InlineData("0600")] // empty
    public void Oid_Malformed_Throws(string hex)
    {
        Assert.Throws<SnmpDecodeException>(() =>
        {
            var reader = new BerReader(Convert.FromHexString(hex));
            reader.ReadOid("x");
        });
    }

    [Fact]
    public void Oid_MoreThan128Arcs_Rejected()
    {
        Assert.False(SnmpOid.TryParse(string.Join('.', Enumerable.Repeat("1", 129)), out _, out _));
        byte[] content = [0x2B, .. Enumerable.Repeat((byte)1, 127)];
        Assert.Throws<SnmpDecodeException>(() => BerReader.DecodeOid(content, "x"));
        Assert.Equal(128, BerReader.DecodeOid(content[..^1], "x").Length);
    }

    [Theory]
    [InlineData("1.3.6.1.10", "1.3.6.1.9", 1)]
    [InlineData("1.3.6.1", "1.3.6.1.0", -1)]
    [InlineData("1.3.6.1.2", "1.3.6.1.2", 0)]
    public void Oid_Compare_ArcByArcNotText(string left, string right, int sign)
    {
        Assert.Equal(sign, Math.Sign(SnmpOid.Parse(left).CompareTo(SnmpOid.Parse(right))));
    }

    [Theory]
    [InlineData("x", "is not a numeric OID")]
    [InlineData("3.1", "not a valid OID")]
    [InlineData("1.40", "not a valid OID")]
    [InlineData("1", "not a valid OID")]
    [InlineData("1..3", "is not a numeric OID")]
    [InlineData("1.3.4294967296", "is not a numeric OID")]
    public void Oid_BadText_ExplainsWhy(string text, string fragment)
    {
        Assert.False(SnmpOid.TryParse(text, out _, out string? error));
        Assert.Contains(fragment, error);
    }

    [Theory]
    [InlineData(0, "00")]
    [InlineData(127, "7F")]
    [InlineData(128, "8180")]
    [InlineData(255, "81FF")]
    [InlineData(256, "820100")]
    [InlineData(65535, "82FFFF")]
    [InlineData(65536, "83010000")]
    public void Length_Boundaries_Minimal(int length, string hex)
    {
        Span<byte> buffer = stackalloc byte[8];
        Assert.True(BerLength.TryWrite(buffer, length, out int written));
        Assert.Equal(hex, Convert.ToHexString(buffer[..written]));
        Assert.True(BerLength.TryRead(Convert.FromHexString(hex), out int read, out int consumed, out _));
        Assert.Equal(length, read);
        Assert.Equal(written, consumed);
    }

    [Fact]
    public void Length_NonMinimalLongForm_Accepted()
    {
        var reader = new BerReader(Convert.FromHexString("048200026869"));
        Assert.Equal("hi"u8.ToArray(), reader.ReadOctetString("x", 10).ToArray());
    }

    [Theory]
    [InlineData("0480")] // indefinite
    [InlineData("0485FFFFFFFFFF")] // five length octets
    [InlineData("0405414243")] // length beyond the data
    [InlineData("048400FFFFFF41")] // 16 MiB declared, one byte present
    [InlineData("04")] // no length
    [InlineData("1F0100")] // multi-byte tag
    public void Tlv_Hostile_Throws(string hex)
    {
        Assert.Throws<SnmpDecodeException>(() =>
        {
            var reader = new BerReader(Convert.FromHexString(hex));
            reader.ReadAny(out _, out _);
        });
    }

    [Fact]
    public void CommunityGet_MatchesNetSnmpBytes()
    {
        // snmp-notes §2 [obs]: snmpget -v2c -c public sysUpTime.99 (request-id 0x7CD75DFE).
        const string Expected = "302902010104067075626C6963A01C02047CD75DFE020100020100300E300C06082B060102010163000500";
        var pdu = new SnmpPdu(SnmpPduType.GetRequest, 0x7CD75DFE, [SnmpVarBind.Request(SnmpOid.Parse("1.3.6.1.2.1.1.99.0"))]);
        byte[] buffer = new byte[256];
        Assert.Equal(Expected, Convert.ToHexString(SnmpCommunityMessage.Write(buffer, SnmpVersion.V2c, "public"u8, pdu)));

        SnmpPdu decoded = SnmpCommunityMessage.Read(Convert.FromHexString(Expected), out SnmpVersion version, out ReadOnlySpan<byte> community);
        Assert.Equal(SnmpVersion.V2c, version);
        Assert.Equal("public", System.Text.Encoding.ASCII.GetString(community));
        Assert.Equal(0x7CD75DFE, decoded.RequestId);
        Assert.Equal(SnmpOid.Parse("1.3.6.1.2.1.1.99.0"), decoded.VarBinds[0].Oid);
    }

    [Fact]
    public void Response_NoSuchObject_DecodesAsException()
    {
        byte[] reply = Convert.FromHexString("302902010104067075626C6963A21C02047CD75DFE020100020100300E300C06082B060102010163008000");
        SnmpPdu pdu = SnmpCommunityMessage.Read(reply, out _, out _);
        Assert.Equal(SnmpPduType.Response, pdu.Type);
        Assert.Equal(SnmpType.NoSuchObject, pdu.VarBinds[0].Value.Type);
        Assert.True(pdu.VarBinds[0].Value.IsException);
    }

    [Fact]
    public void Response_OneMalformedVarBind_KeepsTheOthers()
    {
        var pdu = new SnmpPdu(SnmpPduType.Response, 7, [
            new(SnmpOid.Parse("1.3.6.1.2.1.1.3.0"), SnmpValue.TimeTicks(42)),
            new(SnmpOid.Parse("1.3.6.1.2.1.1.5.0"), SnmpValue.OctetString("gw")),
        ]);
        byte[] buffer = new byte[256];
        byte[] bytes = SnmpCommunityMessage.Write(buffer, SnmpVersion.V2c, "public"u8, pdu).ToArray();

        // Turn the TimeTicks (43 01 2A) into an unknown tag 0x47.
        int at = Convert.ToHexString(bytes).IndexOf("43012A", StringComparison.Ordinal) / 2;
        bytes[at] = 0x47;
        SnmpPdu decoded = SnmpCommunityMessage.Read(bytes, out _, out _);
        Assert.Equal(SnmpType.Malformed, decoded.VarBinds[0].Value.Type);
        Assert.Equal("gw", decoded.VarBinds[1].Value.ValueText());
    }

    [Fact]
    public void TrapV1_RoundTrip_KeepsEveryField()
    {
        var pdu = new SnmpPdu(SnmpPduType.TrapV1, 0, [new(SnmpOid.Parse("1.3.6.1.2.1.33.1.2.3.0"), SnmpValue.Integer(42))])
        {
            Enterprise = SnmpOid.Parse("1.3.6.1.2.1.33.2"),
            AgentAddress = [10, 0, 0, 5],
            GenericTrap = 6,
            SpecificTrap = 1,
            TimeStamp = 12345,
        };
        byte[] buffer = new byte[256];
        byte[] bytes = SnmpCommunityMessage.Write(buffer, SnmpVersion.V1, "public"u8, pdu).ToArray();
        SnmpPdu decoded = SnmpCommunityMessage.Read(bytes, out SnmpVersion version, out _);
        Assert.Equal(SnmpVersion.V1, version);
        Assert.Equal(pdu.Enterprise, decoded.Enterprise);
        Assert.Equal(pdu.AgentAddress, decoded.AgentAddress);
        Assert.Equal((6, 1, 12345u), (decoded.GenericTrap, decoded.SpecificTrap, decoded.TimeStamp));
        Assert.Equal(42, decoded.VarBinds[0].Value.AsInt64());
    }

    [Fact]
    public void OpaqueFloat_DecodesAsDouble()
    {
        SnmpValue value = ReadValue("44079F780441C80000");
        Assert.Equal(SnmpType.OpaqueFloat, value.Type);
        Assert.Equal(25.0, value.AsDouble());
    }

    [Fact]
    public void Writer_TooSmallBuffer_ThrowsTooBig()
    {
        var pdu = new SnmpPdu(SnmpPduType.GetRequest, 1, [SnmpVarBind.Request(SnmpOid.Parse("1.3.6.1.2.1.1.1.0"))]);
        SnmpException ex = Assert.Throws<SnmpException>(() => SnmpCommunityMessage.Write(new byte[20], SnmpVersion.V2c, "public"u8, pdu));
        Assert.Equal("too_big", ex.Kind);
    }

    private delegate void WriteAction(ref BerWriter writer);

    private static string Encode(WriteAction write)
    {
        byte[] buffer = new byte[64];
        var writer = new BerWriter(buffer);
        write(ref writer);
        return Convert.ToHexString(writer.Encoded);
    }

    private static SnmpValue ReadValue(string hex)
    {
        var reader = new BerReader(Convert.FromHexString(hex));
        ReadOnlySpan<byte> content = reader.ReadAny(out byte tag, out _);
        return SnmpValueCodec.Read(tag, content);
    }
}
