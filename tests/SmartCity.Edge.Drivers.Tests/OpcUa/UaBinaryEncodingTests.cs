using System.Collections;
using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>OPC UA Binary codec: hand-built bytes from OPC 10000-6 §5.2 and round trips of every built-in type.</summary>
public sealed class UaBinaryEncodingTests
{
    public static TheoryData<UaBuiltInType, object> ScalarValues => new()
    {
        { UaBuiltInType.Boolean, true },
        { UaBuiltInType.SByte, (sbyte)-7 },
        { UaBuiltInType.Byte, (byte)250 },
        { UaBuiltInType.Int16, short.MinValue },
        { UaBuiltInType.UInt16, ushort.MaxValue },
        { UaBuiltInType.Int32, int.MinValue },
        { UaBuiltInType.UInt32, uint.MaxValue },
        { UaBuiltInType.Int64, long.MinValue },
        { UaBuiltInType.UInt64, ulong.MaxValue },
        { UaBuiltInType.Float, float.Epsilon },
        { UaBuiltInType.Double, double.NegativeInfinity },
        { UaBuiltInType.String, "Grüße ✓" },
        { UaBuiltInType.DateTime, new DateTime(2024, 5, 6, 7, 8, 9, 123, DateTimeKind.Utc).AddTicks(4567) },
        { UaBuiltInType.Guid, Guid.Parse("72962B91-FA75-4AE6-8D28-B404DC7DAF63") },
        { UaBuiltInType.ByteString, new byte[] { 0, 1, 255 } },
        { UaBuiltInType.XmlElement, new UaXmlElement("<a b=\"1\"/>") },
        { UaBuiltInType.NodeId, UaNodeId.FromString(3, "Door1.Open") },
        { UaBuiltInType.ExpandedNodeId, new UaExpandedNodeId(UaNodeId.FromNumeric(2, 70000), "urn:park", 3) },
        { UaBuiltInType.StatusCode, new UaStatusCode(UaStatusCodes.BadNodeIdUnknown) },
        { UaBuiltInType.QualifiedName, new UaQualifiedName(2, "Open") },
        { UaBuiltInType.LocalizedText, new UaLocalizedText("de", "Tür offen") },
        { UaBuiltInType.ExtensionObject, new UaExtensionObject(UaNodeId.FromNumeric(0, 724), UaExtensionObjectEncoding.Binary, [1, 2, 3]) },
        { UaBuiltInType.DataValue, new UaDataValue(UaVariant.From(1.5), new UaStatusCode(UaStatusCodes.UncertainLastUsableValue), new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), 7, new DateTime(2024, 1, 2, 0, 0, 0, DateTimeKind.Utc), 9) },
        { UaBuiltInType.DiagnosticInfo, new UaDiagnosticInfo(1, 2, 3, 4, "more", new UaStatusCode(UaStatusCodes.BadTimeout), new UaDiagnosticInfo(SymbolicId: 5)) },
    };

    [Theory]
    [MemberData(nameof(ScalarValues))]
    public void Variant_Scalar_RoundTrips(UaBuiltInType type, object value)
    {
        var variant = new UaVariant(type, value);

        UaVariant decoded = RoundTrip(variant);

        Assert.Equal(variant, decoded);
    }

    [Theory]
    [MemberData(nameof(ScalarValues))]
    public void Variant_ArrayOfEachType_RoundTrips(UaBuiltInType type, object value)
    {
        Array array = Array.CreateInstance(value.GetType(), 3);
        array.SetValue(value, 0);
        array.SetValue(value, 2);
        if (!value.GetType().IsValueType)
        {
            array.SetValue(value, 1);
        }

        var variant = new UaVariant(type, array);

        UaVariant decoded = RoundTrip(variant);

        Assert.Equal(variant, decoded);
        Assert.True(decoded.IsArray);
    }

    [Fact]
    public void Variant_Matrix_RoundTripsWithDimensions()
    {
        var variant = new UaVariant(UaBuiltInType.Int32, new[] { 1, 2, 3, 4, 5, 6 }, [3, 2]);

        UaVariant decoded = RoundTrip(variant);

        Assert.Equal(new[] { 3, 2 }, decoded.Dimensions);
        Assert.Equal(variant, decoded);
    }

    [Fact]
    public void Variant_ArrayOfVariants_RoundTrips()
    {
        var variant = new UaVariant(UaBuiltInType.Variant, new[] { UaVariant.From(1), UaVariant.From("x"), UaVariant.Null });

        Assert.Equal(variant, RoundTrip(variant));
    }

    [Fact]
    public void Variant_MatrixDimensionsNotMatchingLength_BadDecodingError()
    {
        // Int32 | array | dimensions, 2 elements, dimensions [2, 2]
        byte[] bytes = [0xC6, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0];

        UaDecodingException error = Assert.Throws<UaDecodingException>(() => new UaBinaryReader(bytes).ReadVariant());

        Assert.Equal("BadDecodingError", error.StatusCode.Name);
    }

    [Theory]
    [InlineData(new byte[] { 0x00, 0x55 }, "i=85")]
    [InlineData(new byte[] { 0x01, 0x05, 0x2C, 0x01 }, "ns=5;i=300")]
    [InlineData(new byte[] { 0x02, 0x00, 0x01, 0x70, 0x11, 0x01, 0x00 }, "ns=256;i=70000")]
    [InlineData(new byte[] { 0x03, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00, 0x44, 0x6F, 0x6F, 0x72 }, "ns=1;s=Door")]
    [InlineData(new byte[] { 0x04, 0x02, 0x00, 0x91, 0x2B, 0x96, 0x72, 0x75, 0xFA, 0xE6, 0x4A, 0x8D, 0x28, 0xB4, 0x04, 0xDC, 0x7D, 0xAF, 0x63 }, "ns=2;g=72962b91-fa75-4ae6-8d28-b404dc7daf63")]
    [InlineData(new byte[] { 0x05, 0x03, 0x00, 0x02, 0x00, 0x00, 0x00, 0xAB, 0xCD }, "ns=3;b=q80=")]
    public void NodeId_EachEncoding_DecodesAndReencodesSameBytes(byte[] bytes, string text)
    {
        var reader = new UaBinaryReader(bytes);
        UaNodeId nodeId = reader.ReadNodeId();
        using var writer = new UaBinaryWriter();
        writer.WriteNodeId(nodeId);

        Assert.Equal(text, nodeId.ToString());
        Assert.Equal(UaNodeId.Parse(text), nodeId);
        Assert.Equal(bytes, writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void ExpandedNodeId_WithUriAndServerIndex_SetsFlagsAndRoundTrips()
    {
        var value = new UaExpandedNodeId(UaNodeId.FromNumeric(0, 85), "urn:x", 7);
        using var writer = new UaBinaryWriter();
        writer.WriteExpandedNodeId(value);

        Assert.Equal(0xC0, writer.WrittenSpan[0]);
        var reader = new UaBinaryReader(writer.WrittenSpan);
        Assert.Equal(value, reader.ReadExpandedNodeId());
    }

    [Fact]
    public void DataValue_FieldOrder_MatchesSpec()
    {
        // mask: value | status | sourceTs | sourcePico; value Boolean true; status 0x80340000; ts 1; pico 2
        byte[] bytes = [0x17, 0x01, 0x01, 0x00, 0x00, 0x34, 0x80, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0];
        var reader = new UaBinaryReader(bytes);

        UaDataValue value = reader.ReadDataValue();

        Assert.Equal(true, value.Value.Value);
        Assert.Equal("BadNodeIdUnknown", value.StatusCode.Name);
        Assert.Equal(DateTime.FromFileTimeUtc(1), value.SourceTimestamp);
        Assert.Equal(2, value.SourcePicoseconds);
        Assert.Null(value.ServerTimestamp);
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void DateTime_ZeroAndMax_MapToMinAndMaxValue()
    {
        using var writer = new UaBinaryWriter();
        writer.WriteDateTime(DateTime.MinValue);
        writer.WriteInt64(long.MaxValue);
        var reader = new UaBinaryReader(writer.WrittenSpan);

        Assert.Equal(DateTime.MinValue, reader.ReadDateTime());
        Assert.Equal(DateTime.MaxValue, reader.ReadDateTime());
        Assert.Equal(0L, BitConverterFreeRead(writer.WrittenSpan[..8]));
    }

    [Fact]
    public void String_NullAndEmpty_AreDistinct()
    {
        using var writer = new UaBinaryWriter();
        writer.WriteString(null);
        writer.WriteString(string.Empty);
        var reader = new UaBinaryReader(writer.WrittenSpan);

        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0 }, writer.WrittenSpan.ToArray());
        Assert.Null(reader.ReadString());
        Assert.Equal(string.Empty, reader.ReadString());
    }

    [Fact]
    public void String_LengthOverLimit_BadEncodingLimitsExceededBeforeAllocating()
    {
        byte[] bytes = [0xFF, 0xFF, 0xFF, 0x7F];

        UaDecodingException error = Assert.Throws<UaDecodingException>(() => new UaBinaryReader(bytes, new UaEncodingLimits(1024, 1024, 8)).ReadString());

        Assert.Equal("BadEncodingLimitsExceeded", error.StatusCode.Name);
    }

    [Fact]
    public void Array_CountLargerThanBytesLeft_BadDecodingError()
    {
        byte[] bytes = [0x00, 0x00, 0x10, 0x00, 1, 2, 3];

        UaDecodingException error = Assert.Throws<UaDecodingException>(() => new UaBinaryReader(bytes).ReadArray(static (ref UaBinaryReader r) => r.ReadByte()));

        Assert.Equal("BadDecodingError", error.StatusCode.Name);
    }

    [Fact]
    public void DiagnosticInfo_NestedBeyondLimit_BadEncodingLimitsExceeded()
    {
        byte[] bytes = Enumerable.Repeat((byte)0x40, 100).Append((byte)0).ToArray();

        UaDecodingException error = Assert.Throws<UaDecodingException>(() => new UaBinaryReader(bytes).ReadDiagnosticInfo());

        Assert.Equal("BadEncodingLimitsExceeded", error.StatusCode.Name);
    }

    [Theory]
    [InlineData(0x80340000u, "BadNodeIdUnknown")]
    [InlineData(0x00000000u, "Good")]
    [InlineData(0x408F0000u, "UncertainNoCommunicationLastUsableValue")]
    [InlineData(0x80800000u, "BadTcpMessageTooLarge")]
    [InlineData(0x80340400u, "BadNodeIdUnknown")]
    [InlineData(0x8FFF0000u, "Bad(0x8FFF0000)")]
    public void StatusCode_Name_FromTable(uint code, string name)
    {
        Assert.Equal(name, new UaStatusCode(code).Name);
    }

    [Fact]
    public void LocalizedText_OnlyText_MaskTwo()
    {
        using var writer = new UaBinaryWriter();
        writer.WriteLocalizedText(new UaLocalizedText(null, "x"));

        Assert.Equal(new byte[] { 0x02, 1, 0, 0, 0, (byte)'x' }, writer.WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData("ns=1;s=Door1.Open", true)]
    [InlineData("i=2258", true)]
    [InlineData("ns=x;i=1", false)]
    [InlineData("ns=1;q=1", false)]
    [InlineData("i=-1", false)]
    [InlineData("", false)]
    public void NodeId_TryParse_AcceptsTextFormOnly(string text, bool ok)
    {
        Assert.Equal(ok, UaNodeId.TryParse(text, out _, out string? error));
        Assert.Equal(ok, error is null);
    }

    private static UaVariant RoundTrip(UaVariant variant)
    {
        using var writer = new UaBinaryWriter();
        writer.WriteVariant(variant);
        var reader = new UaBinaryReader(writer.WrittenSpan);
        UaVariant decoded = reader.ReadVariant();
        Assert.Equal(0, reader.Remaining);
        return decoded;
    }

    private static long BitConverterFreeRead(ReadOnlySpan<byte> bytes) => System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(bytes);
}
