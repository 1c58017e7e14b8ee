using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// Encodes OPC UA Binary (OPC 10000-6 §5.2) into a pooled buffer that grows up to <see cref="MaxSize"/>.
/// One instance is reused per connection (<see cref="Reset"/>); <see cref="Dispose"/> returns the buffer.
/// Invariant: <c>_buffer[0.._length]</c> is the encoded output.
/// </summary>
public sealed class UaBinaryWriter : IDisposable
{
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private byte[] _buffer;
    private int _length;

    public UaBinaryWriter(int initialCapacity = 4096, int maxSize = int.MaxValue)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
        MaxSize = maxSize;
    }

    /// <summary>Growing past this throws Bad_EncodingLimitsExceeded (the peer's MaxMessageSize, for instance).</summary>
    public int MaxSize { get; set; }

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public void Reset() => _length = 0;

    /// <summary>Reserves <paramref name="count"/> bytes (e.g. a header patched later) and returns their offset.</summary>
    public int Skip(int count)
    {
        Span<byte> span = Grow(count);
        span.Clear();
        return _length - count;
    }

    public Span<byte> SpanAt(int offset, int count) => _buffer.AsSpan(offset, count);

    public void WriteBytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Grow(bytes.Length));

    public void WriteBoolean(bool value) => Grow(1)[0] = value ? (byte)1 : (byte)0;

    public void WriteSByte(sbyte value) => Grow(1)[0] = (byte)value;

    public void WriteByte(byte value) => Grow(1)[0] = value;

    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16LittleEndian(Grow(2), value);

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Grow(2), value);

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Grow(4), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Grow(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Grow(8), value);

    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Grow(8), value);

    public void WriteFloat(float value) => BinaryPrimitives.WriteSingleLittleEndian(Grow(4), value);

    public void WriteDouble(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Grow(8), value);

    public void WriteStatusCode(UaStatusCode value) => WriteUInt32(value.Code);

    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }

        int count = s_utf8.GetByteCount(value);
        WriteInt32(count);
        s_utf8.GetBytes(value, Grow(count));
    }

    public void WriteByteString(ReadOnlySpan<byte> value, bool isNull = false)
    {
        if (isNull)
        {
            WriteInt32(-1);
            return;
        }

        WriteInt32(value.Length);
        WriteBytes(value);
    }

    public void WriteByteString(byte[]? value) => WriteByteString(value, value is null);

    public void WriteXmlElement(UaXmlElement value) => WriteString(value.Xml);

    /// <summary>DateTime (§5.2.2.5): MinValue (and anything before 1601) → 0, MaxValue → Int64.MaxValue.</summary>
    public void WriteDateTime(DateTime value)
    {
        long ticks;
        if (value == DateTime.MaxValue)
        {
            ticks = long.MaxValue;
        }
        else
        {
            DateTime utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc);
            ticks = utc.Ticks < DateTime.FromFileTimeUtc(0).Ticks ? 0 : utc.ToFileTimeUtc();
        }

        WriteInt64(ticks);
    }

    public void WriteGuid(Guid value)
    {
        if (!value.TryWriteBytes(Grow(16)))
        {
            ThrowEncoding("Guid did not fit");
        }
    }

    /// <summary>NodeId (§5.2.2.9) in its most compact form (two-byte, four-byte, numeric, string, guid, opaque).</summary>
    public void WriteNodeId(UaNodeId value) => WriteNodeIdCore(value, 0);

    public void WriteExpandedNodeId(UaExpandedNodeId value)
    {
        byte flags = (byte)((value.NamespaceUri is not null ? 0x80 : 0) | (value.ServerIndex != 0 ? 0x40 : 0));
        WriteNodeIdCore(value.NodeId, flags);
        if (value.NamespaceUri is not null)
        {
            WriteString(value.NamespaceUri);
        }

        if (value.ServerIndex != 0)
        {
            WriteUInt32(value.ServerIndex);
        }
    }

    public void WriteQualifiedName(UaQualifiedName value)
    {
        WriteUInt16(value.NamespaceIndex);
        WriteString(value.Name);
    }

    public void WriteLocalizedText(UaLocalizedText value)
    {
        byte mask = (byte)((value.Locale is not null ? 0x01 : 0) | (value.Text is not null ? 0x02 : 0));
        WriteByte(mask);
        if (value.Locale is not null)
        {
            WriteString(value.Locale);
        }

        if (value.Text is not null)
        {
            WriteString(value.Text);
        }
    }

    public void WriteExtensionObject(UaExtensionObject? value)
    {
        value ??= UaExtensionObject.Null;
        WriteNodeId(value.TypeId);
        WriteByte((byte)value.Encoding);
        if (value.Encoding != UaExtensionObjectEncoding.None)
        {
            WriteByteString(value.Body ?? []);
        }
    }

    /// <summary>An ExtensionObject whose binary body is written in place by <paramref name="writeBody"/> (length patched after).</summary>
    public void WriteExtensionObject<TState>(UaNodeId typeId, TState state, Action<UaBinaryWriter, TState> writeBody)
    {
        WriteNodeId(typeId);
        WriteByte((byte)UaExtensionObjectEncoding.Binary);
        int lengthAt = Skip(4);
        int start = _length;
        writeBody(this, state);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(lengthAt, 4), _length - start);
    }

    public void WriteDataValue(UaDataValue? dataValue)
    {
        if (dataValue is not { } value)
        {
            WriteByte(0);
            return;
        }

        byte mask = 0;
        mask |= value.Value.IsNull ? (byte)0 : (byte)0x01;
        mask |= value.StatusCode.Code != 0 ? (byte)0x02 : (byte)0;
        mask |= value.SourceTimestamp is not null ? (byte)0x04 : (byte)0;
        mask |= value.ServerTimestamp is not null ? (byte)0x08 : (byte)0;
        mask |= value.SourcePicoseconds != 0 ? (byte)0x10 : (byte)0;
        mask |= value.ServerPicoseconds != 0 ? (byte)0x20 : (byte)0;
        WriteByte(mask);
        if ((mask & 0x01) != 0)
        {
            WriteVariant(value.Value);
        }

        if ((mask & 0x02) != 0)
        {
            WriteStatusCode(value.StatusCode);
        }

        if (value.SourceTimestamp is { } sourceTs)
        {
            WriteDateTime(sourceTs);
        }

        if ((mask & 0x10) != 0)
        {
            WriteUInt16(value.SourcePicoseconds);
        }

        if (value.ServerTimestamp is { } serverTs)
        {
            WriteDateTime(serverTs);
        }

        if ((mask & 0x20) != 0)
        {
            WriteUInt16(value.ServerPicoseconds);
        }
    }

    public void WriteDiagnosticInfo(UaDiagnosticInfo? value)
    {
        if (value is null)
        {
            WriteByte(0);
            return;
        }

        byte mask = 0;
        mask |= value.SymbolicId >= 0 ? (byte)0x01 : (byte)0;
        mask |= value.NamespaceUri >= 0 ? (byte)0x02 : (byte)0;
        mask |= value.LocalizedText >= 0 ? (byte)0x04 : (byte)0;
        mask |= value.Locale >= 0 ? (byte)0x08 : (byte)0;
        mask |= value.AdditionalInfo is not null ? (byte)0x10 : (byte)0;
        mask |= value.InnerStatusCode is not null ? (byte)0x20 : (byte)0;
        mask |= value.InnerDiagnosticInfo is not null ? (byte)0x40 : (byte)0;
        WriteByte(mask);
        if (value.SymbolicId >= 0)
        {
            WriteInt32(value.SymbolicId);
        }

        if (value.NamespaceUri >= 0)
        {
            WriteInt32(value.NamespaceUri);
        }

        if (value.Locale >= 0)
        {
            WriteInt32(value.Locale);
        }

        if (value.LocalizedText >= 0)
        {
            WriteInt32(value.LocalizedText);
        }

        if (value.AdditionalInfo is not null)
        {
            WriteString(value.AdditionalInfo);
        }

        if (value.InnerStatusCode is { } inner)
        {
            WriteStatusCode(inner);
        }

        if (value.InnerDiagnosticInfo is not null)
        {
            WriteDiagnosticInfo(value.InnerDiagnosticInfo);
        }
    }

    /// <summary>Variant (§5.2.2.16); see <see cref="UaBinaryReader.ReadVariant"/> for the layout.</summary>
    public void WriteVariant(UaVariant value)
    {
        if (value.IsNull)
        {
            WriteByte(0);
            return;
        }

        if (!value.IsArray)
        {
            WriteByte((byte)value.Type);
            WriteScalar(value.Type, value.Value);
            return;
        }

        var array = (Array)value.Value!;
        WriteByte((byte)((byte)value.Type | 0x80 | (value.Dimensions is not null ? 0x40 : 0)));
        WriteInt32(array.Length);
        foreach (object? item in array)
        {
            WriteScalar(value.Type, item);
        }

        if (value.Dimensions is { } dimensions)
        {
            WriteInt32(dimensions.Length);
            foreach (int d in dimensions)
            {
                WriteInt32(d);
            }
        }
    }

    public void WriteArray<T>(IReadOnlyList<T>? items, Action<UaBinaryWriter, T> writeElement)
    {
        if (items is null)
        {
            WriteInt32(-1);
            return;
        }

        WriteInt32(items.Count);
        for (int i = 0; i < items.Count; i++)
        {
            writeElement(this, items[i]);
        }
    }

    /// <summary>Writes one value of a built-in type from its CLR representation; a mismatch is a typed encoding error.</summary>
    public void WriteScalar(UaBuiltInType type, object? value)
    {
        switch (type, value)
        {
            case (UaBuiltInType.Boolean, bool v): WriteBoolean(v); break;
            case (UaBuiltInType.SByte, sbyte v): WriteSByte(v); break;
            case (UaBuiltInType.Byte, byte v): WriteByte(v); break;
            case (UaBuiltInType.Int16, short v): WriteInt16(v); break;
            case (UaBuiltInType.UInt16, ushort v): WriteUInt16(v); break;
            case (UaBuiltInType.Int32, int v): WriteInt32(v); break;
            case (UaBuiltInType.UInt32, uint v): WriteUInt32(v); break;
            case (UaBuiltInType.Int64, long v): WriteInt64(v); break;
            case (UaBuiltInType.UInt64, ulong v): WriteUInt64(v); break;
            case (UaBuiltInType.Float, float v): WriteFloat(v); break;
            case (UaBuiltInType.Double, double v): WriteDouble(v); break;
            case (UaBuiltInType.String, string or null): WriteString((string?)value); break;
            case (UaBuiltInType.DateTime, DateTime v): WriteDateTime(v); break;
            case (UaBuiltInType.Guid, Guid v): WriteGuid(v); break;
            case (UaBuiltInType.ByteString, byte[] or null): WriteByteString((byte[]?)value); break;
            case (UaBuiltInType.XmlElement, UaXmlElement v): WriteXmlElement(v); break;
            case (UaBuiltInType.NodeId, UaNodeId v): WriteNodeId(v); break;
            case (UaBuiltInType.ExpandedNodeId, UaExpandedNodeId v): WriteExpandedNodeId(v); break;
            case (UaBuiltInType.StatusCode, UaStatusCode v): WriteStatusCode(v); break;
            case (UaBuiltInType.QualifiedName, UaQualifiedName v): WriteQualifiedName(v); break;
            case (UaBuiltInType.LocalizedText, UaLocalizedText v): WriteLocalizedText(v); break;
            case (UaBuiltInType.ExtensionObject, UaExtensionObject or null): WriteExtensionObject((UaExtensionObject?)value); break;
            case (UaBuiltInType.DataValue, UaDataValue or null): WriteDataValue((UaDataValue?)value); break;
            case (UaBuiltInType.Variant, UaVariant v): WriteVariant(v); break;
            case (UaBuiltInType.DiagnosticInfo, UaDiagnosticInfo or null): WriteDiagnosticInfo((UaDiagnosticInfo?)value); break;
            default:
                ThrowEncoding($"a {value?.GetType().Name ?? "null"} cannot be encoded as {type}");
                break;
        }
    }

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void WriteNodeIdCore(UaNodeId value, byte flags)
    {
        switch (value.IdType)
        {
            case UaNodeIdType.Numeric when value.NamespaceIndex == 0 && value.Numeric <= byte.MaxValue:
                WriteByte((byte)(0x00 | flags));
                WriteByte((byte)value.Numeric);
                break;
            case UaNodeIdType.Numeric when value.NamespaceIndex <= byte.MaxValue && value.Numeric <= ushort.MaxValue:
                WriteByte((byte)(0x01 | flags));
                WriteByte((byte)value.NamespaceIndex);
                WriteUInt16((ushort)value.Numeric);
                break;
            case UaNodeIdType.Numeric:
                WriteByte((byte)(0x02 | flags));
                WriteUInt16(value.NamespaceIndex);
                WriteUInt32(value.Numeric);
                break;
            case UaNodeIdType.String:
                WriteByte((byte)(0x03 | flags));
                WriteUInt16(value.NamespaceIndex);
                WriteString(value.StringId);
                break;
            case UaNodeIdType.Guid:
                WriteByte((byte)(0x04 | flags));
                WriteUInt16(value.NamespaceIndex);
                WriteGuid(value.GuidId);
                break;
            default:
                WriteByte((byte)(0x05 | flags));
                WriteUInt16(value.NamespaceIndex);
                WriteByteString(value.OpaqueId);
                break;
        }
    }

    private Span<byte> Grow(int count)
    {
        int needed = _length + count;
        if (needed > _buffer.Length)
        {
            if (needed > MaxSize)
            {
                ThrowLimit(needed);
            }

            int size = (int)Math.Min(Math.Max((long)_buffer.Length * 2, needed), Math.Max(MaxSize, needed));
            byte[] bigger = ArrayPool<byte>.Shared.Rent(size);
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            if (_buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }

            _buffer = bigger;
        }
        else if (needed > MaxSize)
        {
            ThrowLimit(needed);
        }

        Span<byte> span = _buffer.AsSpan(_length, count);
        _length = needed;
        return span;
    }

    [DoesNotReturn]
    private void ThrowLimit(int needed) =>
        throw new UaEncodingException(new UaStatusCode(UaStatusCodes.BadEncodingLimitsExceeded), $"message of {needed} bytes exceeds the limit of {MaxSize}");

    [DoesNotReturn]
    private static void ThrowEncoding(string message) =>
        throw new UaEncodingException(new UaStatusCode(UaStatusCodes.BadEncodingError), message);
}
