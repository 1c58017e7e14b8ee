using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>
/// A value converted for an OPC UA Write is exactly the variable's type or refused: never text parsed, a boolean
/// from a number other than 0/1, a fraction cut, or an out-of-range number wrapped (operator writes come from the network).
/// </summary>
public sealed class OpcUaValueConverterWriteTests
{
    public static TheoryData<UaBuiltInType, TagValue, string> Refused() => new()
    {
        { UaBuiltInType.UInt16, TagValue.FromString("abc"), "a UInt16 variable takes a whole number, not the text 'abc'" },
        { UaBuiltInType.UInt16, TagValue.FromInt64(70000), "70000 does not fit a UInt16 variable" },
        { UaBuiltInType.UInt16, TagValue.FromInt64(-1), "-1 does not fit a UInt16 variable" },
        { UaBuiltInType.Int32, TagValue.FromDouble(2.5), "a Int32 variable takes a whole number, not 2.5" },
        { UaBuiltInType.Int32, TagValue.FromBoolean(true), "a Int32 variable takes a whole number, not true" },
        { UaBuiltInType.Int64, TagValue.FromDouble(1e300), "a Int64 variable takes a whole number, not 1E+300" },
        { UaBuiltInType.Int64, TagValue.FromUInt64(ulong.MaxValue), "18446744073709551615 does not fit a Int64 variable" },
        { UaBuiltInType.Byte, TagValue.FromDouble(double.NaN), "a Byte variable takes a whole number, not NaN" },
        { UaBuiltInType.Boolean, TagValue.FromInt64(5), "a Boolean variable cannot take 5" },
        { UaBuiltInType.Boolean, TagValue.FromString("true"), "a Boolean variable cannot take the text 'true'" },
        { UaBuiltInType.Float, TagValue.FromDouble(1e39), "a Float variable cannot take 1E+39" },
        { UaBuiltInType.Double, TagValue.FromString("1.5"), "a Double variable cannot take the text '1.5'" },
        { UaBuiltInType.Double, TagValue.FromDouble(double.PositiveInfinity), "a Double variable cannot take" },
        { UaBuiltInType.String, TagValue.FromInt64(7), "a String variable cannot take 7" },
        { UaBuiltInType.DateTime, TagValue.FromString("2024-01-01"), "the gateway does not write DateTime variables" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void TryToVariant_ValueTheTypeCannotHold_RefusedWithTheReason(UaBuiltInType type, TagValue value, string reason)
    {
        Assert.False(OpcUaValueConverter.TryToVariant(value, type, out _, out string problem));
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TryToVariant_ExactValues_ConvertedToTheVariablesType()
    {
        Assert.True(OpcUaValueConverter.TryToVariant(TagValue.FromInt64(65535), UaBuiltInType.UInt16, out UaVariant uint16, out _));
        Assert.Equal((UaBuiltInType.UInt16, (object?)(ushort)65535), (uint16.Type, uint16.Value));
        Assert.True(OpcUaValueConverter.TryToVariant(TagValue.FromDouble(-7.0), UaBuiltInType.SByte, out UaVariant sbyteValue, out _));
        Assert.Equal((object?)(sbyte)-7, sbyteValue.Value);
        Assert.True(OpcUaValueConverter.TryToVariant(TagValue.FromUInt64(ulong.MaxValue), UaBuiltInType.UInt64, out UaVariant uint64, out _));
        Assert.Equal((object?)ulong.MaxValue, uint64.Value);
        Assert.True(OpcUaValueConverter.TryToVariant(TagValue.FromInt64(1), UaBuiltInType.Boolean, out UaVariant flag, out _));
        Assert.Equal((object?)true, flag.Value);
        Assert.True(OpcUaValueConverter.TryToVariant(TagValue.FromInt64(3), UaBuiltInType.Double, out UaVariant real, out _));
        Assert.Equal((object?)3.0, real.Value);
        Assert.True(OpcUaValueConverter.TryToVariant(TagValue.FromString("Tür"), UaBuiltInType.String, out UaVariant text, out _));
        Assert.Equal((object?)"Tür", text.Value);
    }
}
