using System.Diagnostics.CodeAnalysis;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// Reads BER TLVs from one span, front to back. A datagram is complete or nothing, so "need more" does not exist here:
/// anything truncated, oversized or of the wrong tag throws <see cref="SnmpDecodeException"/>. Every declared length
/// is checked against the bytes that are really there before it is used. Nested constructed values are read with a
/// new reader over their content (<see cref="ReadConstructed"/>).
/// </summary>
internal ref struct BerReader
{
    private readonly ReadOnlySpan<byte> _source;
    private readonly int _baseOffset;
    private int _position;

    public BerReader(ReadOnlySpan<byte> source, int baseOffset = 0)
    {
        _source = source;
        _baseOffset = baseOffset;
        _position = 0;
    }

    public readonly bool HasMore => _position < _source.Length;

    /// <summary>Offset of the next TLV from the start of the outermost message (for patching a MAC in place).</summary>
    public readonly int Offset => _baseOffset + _position;

    public readonly int Remaining => _source.Length - _position;

    public readonly byte PeekTag()
    {
        if (!HasMore)
        {
            Throw("message ends where another field was expected");
        }

        return _source[_position];
    }

    /// <summary>Reads any TLV: its tag, its content and the content's offset in the message.</summary>
    public ReadOnlySpan<byte> ReadAny(out byte tag, out int contentOffset)
    {
        if (!HasMore)
        {
            Throw("message ends where another field was expected");
        }

        tag = _source[_position];
        if ((tag & 0x1F) == 0x1F)
        {
            Throw($"multi-byte BER tag 0x{tag:X2} (not used by SNMP)");
        }

        ReadOnlySpan<byte> rest = _source[(_position + 1)..];
        if (!BerLength.TryRead(rest, out int length, out int lengthSize, out bool malformed))
        {
            Throw(malformed ? "indefinite or oversized BER length" : "message ends inside a BER length");
        }

        if (length > rest.Length - lengthSize)
        {
            Throw($"BER length {length} runs past the end of the message ({rest.Length - lengthSize} bytes left)");
        }

        int start = _position + 1 + lengthSize;
        contentOffset = _baseOffset + start;
        _position = start + length;
        return _source.Slice(start, length);
    }

    /// <summary>Reads a TLV that must carry <paramref name="expectedTag"/>.</summary>
    public ReadOnlySpan<byte> Read(byte expectedTag, string what)
    {
        if (HasMore && _source[_position] != expectedTag)
        {
            Throw($"{what}: expected tag 0x{expectedTag:X2}, found 0x{_source[_position]:X2}");
        }

        return ReadAny(out _, out _);
    }

    public BerReader ReadConstructed(byte expectedTag, string what)
    {
        ReadOnlySpan<byte> content = Read(expectedTag, what);
        return new BerReader(content, Offset - content.Length);
    }

    public BerReader ReadSequence(string what) => ReadConstructed(BerTag.Sequence, what);

    public long ReadInteger(string what, long min = int.MinValue, long max = int.MaxValue)
    {
        ReadOnlySpan<byte> content = Read(BerTag.Integer, what);
        if (!BerInteger.TryReadSigned(content, out long value) || value < min || value > max)
        {
            Throw($"{what}: INTEGER out of range {min}..{max}");
        }

        return value;
    }

    public ReadOnlySpan<byte> ReadOctetString(string what, int maxLength)
    {
        ReadOnlySpan<byte> content = Read(BerTag.OctetString, what);
        if (content.Length > maxLength)
        {
            Throw($"{what}: {content.Length} octets, at most {maxLength} allowed");
        }

        return content;
    }

    public void ReadNull(string what)
    {
        if (!Read(BerTag.Null, what).IsEmpty)
        {
            Throw($"{what}: NULL with content");
        }
    }

    public SnmpOid ReadOid(string what)
    {
        ReadOnlySpan<byte> content = Read(BerTag.ObjectIdentifier, what);
        return DecodeOid(content, what);
    }

    public static SnmpOid DecodeOid(ReadOnlySpan<byte> content, string what)
    {
        Span<uint> arcs = stackalloc uint[SnmpOid.MaxArcs];
        if (!BerOid.TryReadContent(content, arcs, out int count, out string? error))
        {
            Throw($"{what}: {error}");
        }

        return SnmpOid.FromArcs(arcs[..count]);
    }

    [DoesNotReturn]
    public static void Throw(string message) => throw new SnmpDecodeException(message);
}
