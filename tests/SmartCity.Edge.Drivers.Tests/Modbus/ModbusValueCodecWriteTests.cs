using SmartCity.Edge.Drivers.Modbus;

namespace SmartCity.Edge.Drivers.Tests.Modbus;

/// <summary>
/// Encoding for writes is strict: a value the register type cannot hold exactly is refused with a reason, never
/// rounded, wrapped, truncated or turned into a look-alike (operator writes come from the network).
/// </summary>
public sealed class ModbusValueCodecWriteTests
{
    public static TheoryData<string, TagValue, string> Refused() => new()
    {
        { "UInt16", TagValue.FromString("abc"), "a uint16 tag takes a number, not the text 'abc'" },
        { "UInt16", TagValue.FromString("42"), "a uint16 tag takes a number, not the text '42'" },
        { "UInt16", TagValue.FromInt64(70000), "70000 does not fit a uint16 (0..65535)" },
        { "UInt16", TagValue.FromInt64(-1), "-1 does not fit a uint16 (0..65535)" },
        { "UInt16", TagValue.FromDouble(double.NaN), "a uint16 tag takes a number, not NaN" },
        { "UInt16", TagValue.FromDouble(double.PositiveInfinity), "a uint16 tag takes a number, not Infinity" },
        { "UInt16", TagValue.FromDouble(1e300), "1E+300 does not fit a uint16" },
        { "UInt16", TagValue.FromDouble(3.5), "3.5 is not a whole number; a uint16 tag holds whole numbers" },
        { "UInt16", TagValue.FromBoolean(true), "a uint16 tag takes a number, not true" },
        { "Int16", TagValue.FromInt64(40000), "40000 does not fit a int16" },
        { "Int64", TagValue.FromUInt64(ulong.MaxValue), "18446744073709551615 does not fit an int64" },
        { "Int64", TagValue.FromDouble(1e19), "1E+19 does not fit an int64" },
        { "UInt64", TagValue.FromInt64(-5), "-5 does not fit a uint64" },
        { "UInt64", TagValue.FromDouble(1e20), "1E+20 does not fit a uint64" },
        { "Float32", TagValue.FromDouble(1e39), "1E+39 does not fit a float32" },
        { "Float64", TagValue.FromString("1.5"), "a float64 tag takes a number, not the text '1.5'" },
        { "Bool", TagValue.FromInt64(5), "a bool tag takes true or false (or 1 or 0), not 5" },
        { "Bool", TagValue.FromString("on"), "a bool tag takes true or false (or 1 or 0), not the text 'on'" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void TryEncode_ValueTheTypeCannotHold_RefusedWithTheReason(string type, TagValue value, string reason)
    {
        ushort[] registers = new ushort[4];
        Assert.False(ModbusValueCodec.TryEncode(value, new ModbusTagType(Enum.Parse<ModbusDataType>(type)), ModbusByteOrder.ABCD, 1, 0, registers, out string error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.All(registers, r => Assert.Equal(0, r));
    }

    [Fact]
    public void TryEncode_String_TextOnlyAndLatin1Only()
    {
        var type = new ModbusTagType(ModbusDataType.String, 4);
        ushort[] registers = new ushort[2];
        Assert.False(ModbusValueCodec.TryEncode(TagValue.FromInt64(42), type, ModbusByteOrder.ABCD, 1, 0, registers, out string number));
        Assert.Contains("takes text, not 42", number, StringComparison.Ordinal);
        Assert.False(ModbusValueCodec.TryEncode(TagValue.FromString("Tür€"), type, ModbusByteOrder.ABCD, 1, 0, registers, out string euro));
        Assert.Contains("outside Latin-1", euro, StringComparison.Ordinal);
        Assert.False(ModbusValueCodec.TryEncode(TagValue.FromString("12345"), type, ModbusByteOrder.ABCD, 1, 0, registers, out string tooLong));
        Assert.Contains("longer than 4 characters", tooLong, StringComparison.Ordinal);
        Assert.True(ModbusValueCodec.TryEncode(TagValue.FromString("Tür"), type, ModbusByteOrder.ABCD, 1, 0, registers, out _));
        Assert.Equal(new ushort[] { 0x54FC, 0x7200 }, registers);
    }

    [Theory]
    [InlineData("UInt16", 65535L, new ushort[] { 0xFFFF })]
    [InlineData("Int16", -32768L, new ushort[] { 0x8000 })]
    [InlineData("Int64", long.MinValue, new ushort[] { 0x8000, 0, 0, 0 })]
    public void TryEncode_BoundsOfTheType_Accepted(string type, long value, ushort[] expected)
    {
        ushort[] registers = new ushort[expected.Length];
        Assert.True(ModbusValueCodec.TryEncode(TagValue.FromInt64(value), new ModbusTagType(Enum.Parse<ModbusDataType>(type)), ModbusByteOrder.ABCD, 1, 0, registers, out string error), error);
        Assert.Equal(expected, registers);
    }

    [Fact]
    public void TryEncode_WholeDoubleAndUInt64Max_Accepted()
    {
        ushort[] one = new ushort[1];
        Assert.True(ModbusValueCodec.TryEncode(TagValue.FromDouble(321.0), new ModbusTagType(ModbusDataType.UInt16), ModbusByteOrder.ABCD, 1, 0, one, out _));
        Assert.Equal(321, one[0]);
        ushort[] four = new ushort[4];
        Assert.True(ModbusValueCodec.TryEncode(TagValue.FromUInt64(ulong.MaxValue), new ModbusTagType(ModbusDataType.UInt64), ModbusByteOrder.ABCD, 1, 0, four, out _));
        Assert.Equal(new ushort[] { 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF }, four);
    }

    [Fact]
    public void TryEncode_Scaled_RoundsToTheRegistersStep()
    {
        // Engineering units: 21.34 °C with scale 0.1 is register 213 (the read-back then says 21.3).
        ushort[] registers = new ushort[1];
        Assert.True(ModbusValueCodec.TryEncode(TagValue.FromDouble(21.34), new ModbusTagType(ModbusDataType.UInt16), ModbusByteOrder.ABCD, 0.1, 0, registers, out _));
        Assert.Equal(213, registers[0]);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void TryGetBit_BooleansAndExactlyOneOrZero_Accepted(bool value, bool expected)
    {
        Assert.True(ModbusValueCodec.TryGetBit(TagValue.FromBoolean(value), out bool bit));
        Assert.Equal(expected, bit);
        Assert.True(ModbusValueCodec.TryGetBit(TagValue.FromInt64(value ? 1 : 0), out bit));
        Assert.Equal(expected, bit);
        Assert.True(ModbusValueCodec.TryGetBit(TagValue.FromDouble(value ? 1.0 : 0.0), out bit));
        Assert.Equal(expected, bit);
    }

    [Fact]
    public void TryGetBit_OtherNumbersAndText_Refused()
    {
        Assert.False(ModbusValueCodec.TryGetBit(TagValue.FromInt64(2), out _));
        Assert.False(ModbusValueCodec.TryGetBit(TagValue.FromDouble(0.5), out _));
        Assert.False(ModbusValueCodec.TryGetBit(TagValue.FromString("true"), out _));
        Assert.False(ModbusValueCodec.TryGetBit(TagValue.None, out _));
    }
}
