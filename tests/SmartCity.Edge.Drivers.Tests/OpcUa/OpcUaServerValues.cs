using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>The values tests/peers/opcua/server.js holds (its `types` table): change both together.</summary>
internal static class OpcUaServerValues
{
    public static readonly TheoryData<string, UaBuiltInType, object> Scalars = new()
    {
        { "Boolean", UaBuiltInType.Boolean, true },
        { "SByte", UaBuiltInType.SByte, (sbyte)-100 },
        { "Byte", UaBuiltInType.Byte, (byte)200 },
        { "Int16", UaBuiltInType.Int16, (short)-30000 },
        { "UInt16", UaBuiltInType.UInt16, (ushort)60000 },
        { "Int32", UaBuiltInType.Int32, -2000000000 },
        { "UInt32", UaBuiltInType.UInt32, 4000000000u },
        { "Int64", UaBuiltInType.Int64, -1234567890123L },
        { "UInt64", UaBuiltInType.UInt64, 18000000000000000000UL },
        { "Float", UaBuiltInType.Float, 3.5f },
        { "Double", UaBuiltInType.Double, 3.14159 },
        { "String", UaBuiltInType.String, "Grüße, Park" },
        { "DateTime", UaBuiltInType.DateTime, new DateTime(2024, 5, 6, 7, 8, 9, 123, DateTimeKind.Utc) },
        { "Guid", UaBuiltInType.Guid, Guid.Parse("72962B91-FA75-4AE6-8D28-B404DC7DAF63") },
        { "ByteString", UaBuiltInType.ByteString, new byte[] { 1, 2, 3, 255 } },
        { "XmlElement", UaBuiltInType.XmlElement, new UaXmlElement("<a>1</a>") },
        { "NodeId", UaBuiltInType.NodeId, UaNodeId.FromString(1, "Park") },
        { "StatusCode", UaBuiltInType.StatusCode, new UaStatusCode(UaStatusCodes.BadOutOfRange) },
        { "QualifiedName", UaBuiltInType.QualifiedName, new UaQualifiedName(1, "Door") },
        { "LocalizedText", UaBuiltInType.LocalizedText, new UaLocalizedText("en", "Open") },
    };

    public static readonly TheoryData<string, UaBuiltInType, object> Arrays = new()
    {
        { "Boolean", UaBuiltInType.Boolean, new[] { true, false, true } },
        { "SByte", UaBuiltInType.SByte, new sbyte[] { -128, 0, 127 } },
        { "Byte", UaBuiltInType.Byte, new byte[] { 0, 128, 255 } },
        { "Int16", UaBuiltInType.Int16, new short[] { -32768, 0, 32767 } },
        { "UInt16", UaBuiltInType.UInt16, new ushort[] { 0, 1, 65535 } },
        { "Int32", UaBuiltInType.Int32, new[] { int.MinValue, 0, int.MaxValue } },
        { "UInt32", UaBuiltInType.UInt32, new uint[] { 0, 1, uint.MaxValue } },
        { "Int64", UaBuiltInType.Int64, new[] { long.MinValue, 0, long.MaxValue } },
        { "UInt64", UaBuiltInType.UInt64, new ulong[] { 0, 1, ulong.MaxValue } },
        { "Float", UaBuiltInType.Float, new[] { -1.5f, 0f, 2.25f } },
        { "Double", UaBuiltInType.Double, new[] { -1e300, 0, 6.02214076e23 } },
        { "String", UaBuiltInType.String, new[] { "a", string.Empty, "Tür" } },
        { "DateTime", UaBuiltInType.DateTime, new[] { new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2030, 12, 31, 23, 59, 59, DateTimeKind.Utc) } },
        { "Guid", UaBuiltInType.Guid, new[] { Guid.Parse("00000000-0000-0000-0000-000000000001"), Guid.Parse("72962B91-FA75-4AE6-8D28-B404DC7DAF63") } },
        { "ByteString", UaBuiltInType.ByteString, new[] { new byte[] { 0 }, new byte[] { 9, 8 } } },
        { "XmlElement", UaBuiltInType.XmlElement, new[] { new UaXmlElement("<b/>"), new UaXmlElement("<c>2</c>") } },
        { "NodeId", UaBuiltInType.NodeId, new[] { UaNodeId.FromNumeric(0, 85), UaNodeId.FromNumeric(1, 4711) } },
        { "StatusCode", UaBuiltInType.StatusCode, new[] { new UaStatusCode(UaStatusCodes.Good), new UaStatusCode(UaStatusCodes.UncertainInitialValue) } },
        { "QualifiedName", UaBuiltInType.QualifiedName, new[] { new UaQualifiedName(0, "A"), new UaQualifiedName(2, "B") } },
        { "LocalizedText", UaBuiltInType.LocalizedText, new[] { new UaLocalizedText("de", "Offen"), new UaLocalizedText(null, "x") } },
    };
}
