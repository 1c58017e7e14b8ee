using System.Diagnostics.CodeAnalysis;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// Writes BER back to front into one span: each value is written before the length and tag that precede it, so every
/// length is known when it is written and the encoding is minimal without moving bytes. Callers therefore write a
/// message's fields in reverse order and close a constructed value with <see cref="WriteConstructed"/> after its content.
/// An offset measured from the end (<see cref="Written"/>) never changes once written: the USM uses it to patch the MAC.
/// Too little room throws <see cref="SnmpException"/> (kind <c>too_big</c>); nothing is allocated.
/// </summary>
internal ref struct BerWriter
{
    private readonly Span<byte> _buffer;
    private int _start;

    public BerWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _start = buffer.Length;
    }

    /// <summary>Bytes written so far (they end the buffer).</summary>
    public readonly int Written => _buffer.Length - _start;

    /// <summary>The encoded bytes.</summary>
    public readonly Span<byte> Encoded => _buffer[_start..];

    /// <summary>Closes a constructed value whose content was written since <paramref name="mark"/> (a <see cref="Written"/> value).</summary>
    public void WriteConstructed(byte tag, int mark) => WriteHeader(tag, Written - mark);

    public void WriteInteger(long value, byte tag = BerTag.Integer)
    {
        int size = BerInteger.SignedSize(value);
        BerInteger.WriteSigned(value, Reserve(size));
        WriteHeader(tag, size);
    }

    public void WriteUnsigned(ulong value, byte tag)
    {
        int size = BerInteger.UnsignedSize(value);
        BerInteger.WriteUnsigned(value, Reserve(size));
        WriteHeader(tag, size);
    }

    public void WriteOctetString(scoped ReadOnlySpan<byte> value, byte tag = BerTag.OctetString)
    {
        value.CopyTo(Reserve(value.Length));
        WriteHeader(tag, value.Length);
    }

    /// <summary>Reserves <paramref name="length"/> octets of an OCTET STRING to fill later (a MAC); returns its distance from the end.</summary>
    public int WriteOctetStringPlaceholder(int length)
    {
        Reserve(length).Clear();
        int fromEnd = Written;
        WriteHeader(BerTag.OctetString, length);
        return fromEnd;
    }

    public void WriteNull(byte tag = BerTag.Null) => WriteHeader(tag, 0);

    public void WriteOid(SnmpOid oid)
    {
        int size = BerOid.ContentSize(oid.Arcs);
        BerOid.TryWriteContent(oid.Arcs, Reserve(size), out _);
        WriteHeader(BerTag.ObjectIdentifier, size);
    }

    /// <summary>Pre-encoded TLVs (a varbind list built once), copied as they are.</summary>
    public void WriteRaw(scoped ReadOnlySpan<byte> encoded) => encoded.CopyTo(Reserve(encoded.Length));

    private void WriteHeader(byte tag, int length)
    {
        int size = BerLength.SizeOf(length);
        Span<byte> header = Reserve(size + 1);
        header[0] = tag;
        BerLength.TryWrite(header[1..], length, out _);
    }

    private Span<byte> Reserve(int size)
    {
        if (size > _start)
        {
            ThrowTooBig(_buffer.Length);
        }

        _start -= size;
        return _buffer.Slice(_start, size);
    }

    [DoesNotReturn]
    private static void ThrowTooBig(int capacity) =>
        throw new SnmpException($"the SNMP message would exceed {capacity} bytes; ask for fewer OIDs per request", "too_big");
}
