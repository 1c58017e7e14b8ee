using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>Reads one element of an array; used by <see cref="UaBinaryReader.ReadArray{T}"/>.</summary>
public delegate T UaElementReader<T>(ref UaBinaryReader reader);

/// <summary>
/// Decodes OPC UA Binary (OPC 10000-6 §5.2) from a complete message body. All integers little-endian.
/// The body has already been reassembled and bounded by the transport, so running out of bytes is malformed
/// input, not "need more": every failure throws <see cref="UaDecodingException"/>. Every declared length is
/// checked against <see cref="UaEncodingLimits"/> and the bytes actually left before anything is allocated.
/// </summary>
public ref struct UaBinaryReader
{
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly ReadOnlySpan<byte> _buffer;
    private readonly UaEncodingLimits _limits;
    private int _position;
    private int _depth;

    public UaBinaryReader(ReadOnlySpan<byte> buffer, UaEncodingLimits? limits = null)
    {
        _buffer = buffer;
        _limits = limits ?? UaEncodingLimits.Default;
        _position = 0;
        _depth = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _buffer.Length - _position;

    public readonly ReadOnlySpan<byte> RemainingSpan => _buffer[_position..];

    public bool ReadBoolean() => Take(1)[0] != 0;

    public sbyte ReadSByte() => (sbyte)Take(1)[0];

    public byte ReadByte() => Take(1)[0];

    public short ReadInt16() => BinaryPrimitives.ReadInt16LittleEndian(Take(2));

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public float ReadFloat() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    public UaStatusCode ReadStatusCode() => new(ReadUInt32());

    /// <summary>String (§5.2.2.4): Int32 byte length (−1 = null) + UTF-8.</summary>
    public string? ReadString()
    {
        int length = ReadLength(_limits.MaxStringLength, "String");
        return length < 0 ? null : s_utf8.GetString(Take(length));
    }

    /// <summary>ByteString (§5.2.2.7): Int32 length (−1 = null) + bytes.</summary>
    public byte[]? ReadByteString()
    {
        int length = ReadLength(_limits.MaxStringLength, "ByteString");
        return length < 0 ? null : Take(length).ToArray();
    }

    /// <summary>The raw bytes of a ByteString without copying (valid while the buffer is).</summary>
    public ReadOnlySpan<byte> ReadByteStringSpan()
    {
        int length = ReadLength(_limits.MaxStringLength, "ByteString");
        return length < 0 ? default : Take(length);
    }

    public UaXmlElement ReadXmlElement() => new(ReadString());

    /// <summary>DateTime (§5.2.2.5): Int64 count of 100 ns since 1601-01-01 UTC; ≤ 0 is MinValue, beyond 9999 is MaxValue.</summary>
    public DateTime ReadDateTime()
    {
        long ticks = ReadInt64();
        if (ticks <= 0)
        {
            return DateTime.MinValue;
        }

        return ticks >= DateTime.MaxValue.ToFileTimeUtc() ? DateTime.MaxValue : DateTime.FromFileTimeUtc(ticks);
    }

    /// <summary>Guid (§5.2.2.6): UInt32, UInt16, UInt16, 8 bytes — the layout of <see cref="Guid(ReadOnlySpan{byte})"/>.</summary>
    public Guid ReadGuid() => new(Take(16));

    /*
     * NodeId (§5.2.2.9): encoding byte, then
     *   0x00 TwoByte    [id:1]
     *   0x01 FourByte   [ns:1][id:2]
     *   0x02 Numeric    [ns:2][id:4]
     *   0x03 String     [ns:2][String]
     *   0x04 Guid       [ns:2][Guid 16]
     *   0x05 ByteString [ns:2][ByteString]
     * ExpandedNodeId (§5.2.2.10) sets 0x80 (NamespaceUri String follows) and 0x40 (ServerIndex UInt32 follows).
     */
    public UaNodeId ReadNodeId()
    {
        byte encoding = ReadByte();
        if ((encoding & 0xC0) != 0)
        {
            ThrowDecoding($"NodeId encoding byte 0x{encoding:X2} has ExpandedNodeId flags");
        }

        return ReadNodeIdBody(encoding);
    }

    public UaExpandedNodeId ReadExpandedNodeId()
    {
        byte encoding = ReadByte();
        UaNodeId nodeId = ReadNodeIdBody((byte)(encoding & 0x3F));
        string? namespaceUri = (encoding & 0x80) != 0 ? ReadString() : null;
        uint serverIndex = (encoding & 0x40) != 0 ? ReadUInt32() : 0;
        return new UaExpandedNodeId(nodeId, namespaceUri, serverIndex);
    }

    public UaQualifiedName ReadQualifiedName()
    {
        ushort ns = ReadUInt16();
        return new UaQualifiedName(ns, ReadString());
    }

    /// <summary>LocalizedText (§5.2.2.14): mask 0x01 Locale, 0x02 Text.</summary>
    public UaLocalizedText ReadLocalizedText()
    {
        byte mask = ReadByte();
        if ((mask & 0xFC) != 0)
        {
            ThrowDecoding($"LocalizedText mask 0x{mask:X2} has unknown bits");
        }

        string? locale = (mask & 0x01) != 0 ? ReadString() : null;
        string? text = (mask & 0x02) != 0 ? ReadString() : null;
        return new UaLocalizedText(locale, text);
    }

    /// <summary>ExtensionObject (§5.2.2.15): TypeId NodeId, encoding Byte (0 none, 1 binary, 2 XML), Int32 length + body.</summary>
    public UaExtensionObject ReadExtensionObject()
    {
        ReadOnlySpan<byte> body = ReadExtensionObjectBody(out UaNodeId typeId, out UaExtensionObjectEncoding encoding);
        return encoding switch
        {
            UaExtensionObjectEncoding.None => typeId.IsNull ? UaExtensionObject.Null : new UaExtensionObject(typeId, UaExtensionObjectEncoding.None, null),
            _ => new UaExtensionObject(typeId, encoding, body.ToArray()),
        };
    }

    /// <summary>
    /// An ExtensionObject's type, encoding and body without copying the body (valid while the buffer is): the
    /// Publish path decodes notification data in place. A null body (length −1) is empty.
    /// </summary>
    public ReadOnlySpan<byte> ReadExtensionObjectBody(out UaNodeId typeId, out UaExtensionObjectEncoding encoding)
    {
        typeId = ReadNodeId();
        byte encodingByte = ReadByte();
        switch (encodingByte)
        {
            case 0:
                encoding = UaExtensionObjectEncoding.None;
                return default;
            case 1:
                encoding = UaExtensionObjectEncoding.Binary;
                return ReadByteStringSpan();
            case 2:
                encoding = UaExtensionObjectEncoding.Xml;
                return ReadByteStringSpan();
            default:
                ThrowDecoding($"ExtensionObject encoding byte {encodingByte} is not 0, 1 or 2");
                encoding = default;
                return default;
        }
    }

    /*
     * DataValue (§5.2.2.17): mask, then in this order the fields whose bit is set:
     *   0x01 Value Variant, 0x02 StatusCode, 0x04 SourceTimestamp, 0x10 SourcePicoseconds,
     *   0x08 ServerTimestamp, 0x20 ServerPicoseconds.
     */
    public UaDataValue ReadDataValue()
    {
        Enter();
        byte mask = ReadByte();
        if ((mask & 0xC0) != 0)
        {
            ThrowDecoding($"DataValue mask 0x{mask:X2} has unknown bits");
        }

        UaVariant value = (mask & 0x01) != 0 ? ReadVariant() : UaVariant.Null;
        UaStatusCode status = (mask & 0x02) != 0 ? ReadStatusCode() : UaStatusCode.Good;
        DateTime? sourceTs = (mask & 0x04) != 0 ? ReadDateTime() : null;
        ushort sourcePico = (mask & 0x10) != 0 ? ReadUInt16() : (ushort)0;
        DateTime? serverTs = (mask & 0x08) != 0 ? ReadDateTime() : null;
        ushort serverPico = (mask & 0x20) != 0 ? ReadUInt16() : (ushort)0;
        _depth--;
        return new UaDataValue(value, status, sourceTs, sourcePico, serverTs, serverPico);
    }

    /*
     * Variant (§5.2.2.16): mask = type id (bits 0–5) | 0x40 ArrayDimensions present | 0x80 array;
     * scalar: the value; array: Int32 length + values; 0x40: Int32 count + Int32 dimensions (product = length).
     */
    public UaVariant ReadVariant()
    {
        Enter();
        byte mask = ReadByte();
        int typeId = mask & 0x3F;
        if (typeId > (int)UaBuiltInType.DiagnosticInfo)
        {
            ThrowDecoding($"Variant type id {typeId} is not a built-in type");
        }

        var type = (UaBuiltInType)typeId;
        UaVariant result;
        if ((mask & 0x80) == 0)
        {
            if ((mask & 0x40) != 0)
            {
                ThrowDecoding("Variant has ArrayDimensions without the array flag");
            }

            if (type == UaBuiltInType.Variant)
            {
                ThrowDecoding("a scalar Variant cannot contain a Variant");
            }

            result = type switch
            {
                UaBuiltInType.Null => UaVariant.Null,
                // Numbers, booleans and status codes stay inline in the variant: no box per data change.
                UaBuiltInType.Boolean => UaVariant.FromInlineBits(type, ReadBoolean() ? 1 : 0),
                UaBuiltInType.SByte => UaVariant.FromInlineBits(type, ReadSByte()),
                UaBuiltInType.Byte => UaVariant.FromInlineBits(type, ReadByte()),
                UaBuiltInType.Int16 => UaVariant.FromInlineBits(type, ReadInt16()),
                UaBuiltInType.UInt16 => UaVariant.FromInlineBits(type, ReadUInt16()),
                UaBuiltInType.Int32 => UaVariant.FromInlineBits(type, ReadInt32()),
                UaBuiltInType.UInt32 => UaVariant.FromInlineBits(type, ReadUInt32()),
                UaBuiltInType.Int64 => UaVariant.FromInlineBits(type, ReadInt64()),
                UaBuiltInType.UInt64 => UaVariant.FromInlineBits(type, unchecked((long)ReadUInt64())),
                UaBuiltInType.Float => UaVariant.FromInlineBits(type, BinaryPrimitives.ReadInt32LittleEndian(Take(4))),
                UaBuiltInType.Double => UaVariant.FromInlineBits(type, BinaryPrimitives.ReadInt64LittleEndian(Take(8))),
                UaBuiltInType.StatusCode => UaVariant.FromInlineBits(type, ReadUInt32()),
                _ => new UaVariant(type, ReadScalar(type)),
            };
        }
        else
        {
            if (type == UaBuiltInType.Null)
            {
                ThrowDecoding("Variant array of type Null");
            }

            Array? array = ReadArrayOf(type);
            int[]? dimensions = null;
            if ((mask & 0x40) != 0)
            {
                dimensions = ReadArray(static (ref UaBinaryReader r) => r.ReadInt32());
                long product = 1;
                foreach (int d in dimensions ?? [])
                {
                    if (d < 0)
                    {
                        ThrowDecoding($"Variant matrix dimension {d} is negative");
                    }

                    product *= d;
                    if (product > int.MaxValue)
                    {
                        ThrowDecoding("Variant matrix dimensions overflow");
                    }
                }

                if (dimensions is null || dimensions.Length < 2 || product != (array?.Length ?? 0))
                {
                    ThrowDecoding($"Variant matrix dimensions [{string.Join(",", dimensions ?? [])}] do not match {array?.Length ?? 0} elements");
                }
            }

            result = array is null ? UaVariant.Null : new UaVariant(type, array, dimensions);
        }

        _depth--;
        return result;
    }

    /*
     * DiagnosticInfo (§5.2.2.12): mask, then in this order: 0x01 SymbolicId Int32, 0x02 NamespaceUri Int32,
     * 0x08 Locale Int32, 0x04 LocalizedText Int32, 0x10 AdditionalInfo String, 0x20 InnerStatusCode,
     * 0x40 InnerDiagnosticInfo (recursive, bounded by the nesting limit).
     */
    public UaDiagnosticInfo? ReadDiagnosticInfo()
    {
        Enter();
        byte mask = ReadByte();
        if ((mask & 0x80) != 0)
        {
            ThrowDecoding($"DiagnosticInfo mask 0x{mask:X2} has unknown bits");
        }

        UaDiagnosticInfo? result = null;
        if (mask != 0)
        {
            int symbolicId = (mask & 0x01) != 0 ? ReadInt32() : -1;
            int namespaceUri = (mask & 0x02) != 0 ? ReadInt32() : -1;
            int locale = (mask & 0x08) != 0 ? ReadInt32() : -1;
            int localizedText = (mask & 0x04) != 0 ? ReadInt32() : -1;
            string? additionalInfo = (mask & 0x10) != 0 ? ReadString() : null;
            UaStatusCode? inner = (mask & 0x20) != 0 ? ReadStatusCode() : null;
            UaDiagnosticInfo? innerInfo = (mask & 0x40) != 0 ? ReadDiagnosticInfo() : null;
            result = new UaDiagnosticInfo(symbolicId, namespaceUri, locale, localizedText, additionalInfo, inner, innerInfo);
        }

        _depth--;
        return result;
    }

    /// <summary>Array (§5.2.5): Int32 count (−1 = null) then the elements; count bounded by limits and bytes left.</summary>
    public T[]? ReadArray<T>(UaElementReader<T> readElement)
    {
        int count = ReadArrayLength();
        if (count < 0)
        {
            return null;
        }

        var items = new T[count];
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = readElement(ref this);
        }

        return items;
    }

    /// <summary>An array length: −1 null; otherwise at most the limit and at most one element per byte left.</summary>
    public int ReadArrayLength()
    {
        int count = ReadInt32();
        if (count < -1)
        {
            ThrowDecoding($"array length {count} is negative");
        }

        if (count > _limits.MaxArrayLength)
        {
            ThrowLimit($"array of {count} elements exceeds the limit of {_limits.MaxArrayLength}");
        }

        if (count > Remaining)
        {
            ThrowDecoding($"array of {count} elements cannot fit in the {Remaining} bytes left");
        }

        return count;
    }

    /// <summary>Reads one value of a built-in type as its CLR representation (see <see cref="UaVariant"/>).</summary>
    public object? ReadScalar(UaBuiltInType type) => type switch
    {
        UaBuiltInType.Boolean => ReadBoolean(),
        UaBuiltInType.SByte => ReadSByte(),
        UaBuiltInType.Byte => ReadByte(),
        UaBuiltInType.Int16 => ReadInt16(),
        UaBuiltInType.UInt16 => ReadUInt16(),
        UaBuiltInType.Int32 => ReadInt32(),
        UaBuiltInType.UInt32 => ReadUInt32(),
        UaBuiltInType.Int64 => ReadInt64(),
        UaBuiltInType.UInt64 => ReadUInt64(),
        UaBuiltInType.Float => ReadFloat(),
        UaBuiltInType.Double => ReadDouble(),
        UaBuiltInType.String => ReadString(),
        UaBuiltInType.DateTime => ReadDateTime(),
        UaBuiltInType.Guid => ReadGuid(),
        UaBuiltInType.ByteString => ReadByteString(),
        UaBuiltInType.XmlElement => ReadXmlElement(),
        UaBuiltInType.NodeId => ReadNodeId(),
        UaBuiltInType.ExpandedNodeId => ReadExpandedNodeId(),
        UaBuiltInType.StatusCode => ReadStatusCode(),
        UaBuiltInType.QualifiedName => ReadQualifiedName(),
        UaBuiltInType.LocalizedText => ReadLocalizedText(),
        UaBuiltInType.ExtensionObject => ReadExtensionObject(),
        UaBuiltInType.DataValue => ReadDataValue(),
        UaBuiltInType.DiagnosticInfo => ReadDiagnosticInfo(),
        _ => throw new UaDecodingException(new UaStatusCode(UaStatusCodes.BadDecodingError), $"no scalar of type {type}"),
    };

    private Array? ReadArrayOf(UaBuiltInType type) => type switch
    {
        UaBuiltInType.Boolean => ReadArray(static (ref UaBinaryReader r) => r.ReadBoolean()),
        UaBuiltInType.SByte => ReadArray(static (ref UaBinaryReader r) => r.ReadSByte()),
        UaBuiltInType.Byte => ReadArray(static (ref UaBinaryReader r) => r.ReadByte()),
        UaBuiltInType.Int16 => ReadArray(static (ref UaBinaryReader r) => r.ReadInt16()),
        UaBuiltInType.UInt16 => ReadArray(static (ref UaBinaryReader r) => r.ReadUInt16()),
        UaBuiltInType.Int32 => ReadArray(static (ref UaBinaryReader r) => r.ReadInt32()),
        UaBuiltInType.UInt32 => ReadArray(static (ref UaBinaryReader r) => r.ReadUInt32()),
        UaBuiltInType.Int64 => ReadArray(static (ref UaBinaryReader r) => r.ReadInt64()),
        UaBuiltInType.UInt64 => ReadArray(static (ref UaBinaryReader r) => r.ReadUInt64()),
        UaBuiltInType.Float => ReadArray(static (ref UaBinaryReader r) => r.ReadFloat()),
        UaBuiltInType.Double => ReadArray(static (ref UaBinaryReader r) => r.ReadDouble()),
        UaBuiltInType.String => ReadArray(static (ref UaBinaryReader r) => r.ReadString()),
        UaBuiltInType.DateTime => ReadArray(static (ref UaBinaryReader r) => r.ReadDateTime()),
        UaBuiltInType.Guid => ReadArray(static (ref UaBinaryReader r) => r.ReadGuid()),
        UaBuiltInType.ByteString => ReadArray(static (ref UaBinaryReader r) => r.ReadByteString()),
        UaBuiltInType.XmlElement => ReadArray(static (ref UaBinaryReader r) => r.ReadXmlElement()),
        UaBuiltInType.NodeId => ReadArray(static (ref UaBinaryReader r) => r.ReadNodeId()),
        UaBuiltInType.ExpandedNodeId => ReadArray(static (ref UaBinaryReader r) => r.ReadExpandedNodeId()),
        UaBuiltInType.StatusCode => ReadArray(static (ref UaBinaryReader r) => r.ReadStatusCode()),
        UaBuiltInType.QualifiedName => ReadArray(static (ref UaBinaryReader r) => r.ReadQualifiedName()),
        UaBuiltInType.LocalizedText => ReadArray(static (ref UaBinaryReader r) => r.ReadLocalizedText()),
        UaBuiltInType.ExtensionObject => ReadArray(static (ref UaBinaryReader r) => r.ReadExtensionObject()),
        UaBuiltInType.DataValue => ReadArray(static (ref UaBinaryReader r) => r.ReadDataValue()),
        UaBuiltInType.Variant => ReadArray(static (ref UaBinaryReader r) => r.ReadVariant()),
        UaBuiltInType.DiagnosticInfo => ReadArray(static (ref UaBinaryReader r) => r.ReadDiagnosticInfo()),
        _ => throw new UaDecodingException(new UaStatusCode(UaStatusCodes.BadDecodingError), $"no array of type {type}"),
    };

    private UaNodeId ReadNodeIdBody(byte encoding)
    {
        switch (encoding)
        {
            case 0x00:
                return UaNodeId.FromNumeric(0, ReadByte());
            case 0x01:
                byte ns = ReadByte();
                return UaNodeId.FromNumeric(ns, ReadUInt16());
            case 0x02:
                ushort ns2 = ReadUInt16();
                return UaNodeId.FromNumeric(ns2, ReadUInt32());
            case 0x03:
                ushort ns3 = ReadUInt16();
                return UaNodeId.FromString(ns3, ReadString() ?? string.Empty);
            case 0x04:
                ushort ns4 = ReadUInt16();
                return UaNodeId.FromGuid(ns4, ReadGuid());
            case 0x05:
                ushort ns5 = ReadUInt16();
                return UaNodeId.FromOpaque(ns5, ReadByteString() ?? []);
            default:
                ThrowDecoding($"NodeId encoding 0x{encoding:X2} is unknown");
                return default;
        }
    }

    private int ReadLength(int max, string what)
    {
        int length = ReadInt32();
        if (length < -1)
        {
            ThrowDecoding($"{what} length {length} is negative");
        }

        if (length > max)
        {
            ThrowLimit($"{what} of {length} bytes exceeds the limit of {max}");
        }

        return length;
    }

    private void Enter()
    {
        if (++_depth > _limits.MaxNestingDepth)
        {
            ThrowLimit($"values nested deeper than {_limits.MaxNestingDepth}");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _position))
        {
            ThrowTruncated(count);
        }

        ReadOnlySpan<byte> span = _buffer.Slice(_position, count);
        _position += count;
        return span;
    }

    [DoesNotReturn]
    private readonly void ThrowTruncated(int count) =>
        throw new UaDecodingException(new UaStatusCode(UaStatusCodes.BadDecodingError), $"message truncated: {count} bytes needed at offset {_position}, {Remaining} left");

    [DoesNotReturn]
    private readonly void ThrowDecoding(string message) =>
        throw new UaDecodingException(new UaStatusCode(UaStatusCodes.BadDecodingError), $"{message} (offset {_position})");

    [DoesNotReturn]
    private readonly void ThrowLimit(string message) =>
        throw new UaDecodingException(new UaStatusCode(UaStatusCodes.BadEncodingLimitsExceeded), $"{message} (offset {_position})");
}
