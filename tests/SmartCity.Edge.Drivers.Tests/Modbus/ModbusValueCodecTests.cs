using SmartCity.Edge.Drivers.Modbus;

namespace SmartCity.Edge.Drivers.Tests.Modbus;

/// <summary>Decoding and encoding of every type and byte order on hand-built register bytes.</summary>
public sealed class ModbusValueCodecTests
{
    // float32 -1234.5 = C4 9A 50 00 (A B C D).
    [Fact]
    public void Decode_Float32_KeepsItsKindAlsoScaled()
    {
        byte[] wire = [0x41, 0xC6, 0xEA, 0x1D]; // 24.864313f, ABCD

        TagValue plain = ModbusValueCodec.Decode(wire, new ModbusTagType(ModbusDataType.Float32), ModbusByteOrder.ABCD, -1, 1, 0);
        TagValue scaled = ModbusValueCodec.Decode(wire, new ModbusTagType(ModbusDataType.Float32), ModbusByteOrder.ABCD, -1, 10, 0);

        Assert.Equal((TagValueKind.Float32, 24.864313f), (plain.Kind, plain.AsSingle()));
        Assert.Equal("24.864313", plain.ToString());
        Assert.Equal((TagValueKind.Float32, 248.64313f), (scaled.Kind, scaled.AsSingle()));
    }

    [Theory]
    [InlineData("ABCD", new byte[] { 0xC4, 0x9A, 0x50, 0x00 })]
    [InlineData("CDAB", new byte[] { 0x50, 0x00, 0xC4, 0x9A })]
    [InlineData("BADC", new byte[] { 0x9A, 0xC4, 0x00, 0x50 })]
    [InlineData("DCBA", new byte[] { 0x00, 0x50, 0x9A, 0xC4 })]
    public void Decode_Float32_EachOrder(string orderName, byte[] wire)
    {
        ModbusByteOrder order = Enum.Parse<ModbusByteOrder>(orderName);
        Assert.Equal(-1234.5, ModbusValueCodec.Decode(wire, new ModbusTagType(ModbusDataType.Float32), order, -1, 1, 0).AsDouble());
        ushort[] registers = new ushort[2];
        Assert.True(ModbusValueCodec.TryEncode(TagValue.FromDouble(-1234.5), new ModbusTagType(ModbusDataType.Float32), order, 1, 0, registers, out _));
        Assert.Equal(wire, registers.SelectMany(r => new[] { (byte)(r >> 8), (byte)r }).ToArray());
    }

    // uint64 0x0102030405060708 = A..H.
    [Theory]
    [InlineData("ABCD", new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 })]
    [InlineData("CDAB", new byte[] { 7, 8, 5, 6, 3, 4, 1, 2 })]
    [InlineData("BADC", new byte[] { 2, 1, 4, 3, 6, 5, 8, 7 })]
    [InlineData("DCBA", new byte[] { 8, 7, 6, 5, 4, 3, 2, 1 })]
    public void Decode_UInt64_EachOrderOverFourRegisters(string orderName, byte[] wire)
    {
        ModbusByteOrder order = Enum.Parse<ModbusByteOrder>(orderName);
        TagValue value = ModbusValueCodec.Decode(wire, new ModbusTagType(ModbusDataType.UInt64), order, -1, 1, 0);
        Assert.Equal(TagValueKind.UInt64, value.Kind);
        Assert.Equal(0x0102030405060708UL, value.AsUInt64());
    }

    [Theory]
    [InlineData("Int16", new byte[] { 0xCF, 0xC7 }, -12345)]
    [InlineData("UInt16", new byte[] { 0xD4, 0x31 }, 54321)]
    [InlineData("Int32", new byte[] { 0xF8, 0xA4, 0x32, 0xEB }, -123456789)]
    [InlineData("UInt32", new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }, 4294967295)]
    [InlineData("Int64", new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE }, -2)]
    public void Decode_Integers_BigEndian(string type, byte[] wire, long expected) =>
        Assert.Equal(expected, ModbusValueCodec.Decode(wire, new ModbusTagType(Enum.Parse<ModbusDataType>(type)), ModbusByteOrder.ABCD, -1, 1, 0).AsInt64());

    [Fact]
    public void Decode_Int16WithByteSwap_SwapsTheTwoBytes() =>
        Assert.Equal(-12345, ModbusValueCodec.Decode([0xC7, 0xCF], new ModbusTagType(ModbusDataType.Int16), ModbusByteOrder.BADC, -1, 1, 0).AsInt64());

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    [InlineData(15, true)]
    [InlineData(8, false)]
    public void Decode_RegisterBit_PicksBitFromLsb(int bit, bool expected) =>
        Assert.Equal(expected, ModbusValueCodec.Decode([0x80, 0x01], new ModbusTagType(ModbusDataType.Bool), ModbusByteOrder.ABCD, bit, 1, 0).AsBoolean());

    [Fact]
    public void Decode_ScaleAndOffset_GiveDouble()
    {
        TagValue value = ModbusValueCodec.Decode([0x00, 0xFA], new ModbusTagType(ModbusDataType.Int16), ModbusByteOrder.ABCD, -1, 0.1, -5);
        Assert.Equal(TagValueKind.Double, value.Kind);
        Assert.Equal(20.0, value.AsDouble(), 9);
    }

    [Fact]
    public void Decode_String_StopsAtNulAndHonoursByteSwap()
    {
        byte[] wire = "SENSOR-42\0"u8.ToArray();
        Assert.Equal("SENSOR-42", ModbusValueCodec.Decode(wire, new ModbusTagType(ModbusDataType.String, 10), ModbusByteOrder.ABCD, -1, 1, 0).AsString());
        byte[] swapped = "ESSNRO4-\02"u8.ToArray();
        Assert.Equal("SENSOR-42", ModbusValueCodec.Decode(swapped, new ModbusTagType(ModbusDataType.String, 10), ModbusByteOrder.BADC, -1, 1, 0).AsString());
        Assert.Equal("SEN", ModbusValueCodec.Decode(wire[..4], new ModbusTagType(ModbusDataType.String, 3), ModbusByteOrder.ABCD, -1, 1, 0).AsString());
    }

    [Theory]
    [InlineData("Int16", 40000.0)]
    [InlineData("UInt16", -1.0)]
    [InlineData("Int32", 3e9)]
    public void TryEncode_ValueOutOfRange_FailsWithReason(string type, double value)
    {
        Assert.False(ModbusValueCodec.TryEncode(TagValue.FromDouble(value), new ModbusTagType(Enum.Parse<ModbusDataType>(type)), ModbusByteOrder.ABCD, 1, 0, new ushort[4], out string error));
        Assert.Contains("does not fit", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryEncode_ScaledValue_UndoesScaleAndOffset()
    {
        ushort[] registers = new ushort[1];
        Assert.True(ModbusValueCodec.TryEncode(TagValue.FromDouble(20.0), new ModbusTagType(ModbusDataType.Int16), ModbusByteOrder.ABCD, 0.1, -5, registers, out _));
        Assert.Equal(250, registers[0]);
    }

    [Fact]
    public void TryEncode_StringTooLong_Fails() =>
        Assert.False(ModbusValueCodec.TryEncode(TagValue.FromString("TOO-LONG"), new ModbusTagType(ModbusDataType.String, 4), ModbusByteOrder.ABCD, 1, 0, new ushort[2], out _));

    [Theory]
    [InlineData("holding:100", "HoldingRegister", 100, -1)]
    [InlineData("holding:100.3", "HoldingRegister", 100, 3)]
    [InlineData("input:0", "InputRegister", 0, -1)]
    [InlineData("coil:65535", "Coil", 65535, -1)]
    [InlineData("discrete:7", "DiscreteInput", 7, -1)]
    public void Address_TryParse_Valid(string text, string table, int offset, int bit)
    {
        Assert.True(ModbusAddress.TryParse(text, out ModbusAddress address, out _));
        Assert.Equal(new ModbusAddress(Enum.Parse<ModbusTable>(table), (ushort)offset, bit), address);
        Assert.Equal(text, address.ToString());
    }

    [Theory]
    [InlineData("40001", "TABLE:OFFSET")]
    [InlineData("holdings:1", "did you mean 'holding'")]
    [InlineData("holding:65536", "0..65535")]
    [InlineData("holding:-1", "not an offset")]
    [InlineData("holding:1.16", "bit number")]
    [InlineData("coil:3.1", "single bits")]
    public void Address_TryParse_Invalid_ExplainsWhy(string text, string expected)
    {
        Assert.False(ModbusAddress.TryParse(text, out _, out string error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
