namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// The content octets of an OBJECT IDENTIFIER (X.690 §8.19): the first sub-identifier is 40·X+Y, then one per arc;
/// each in base 128, high bit set on all but the last octet, no leading <c>0x80</c> octet (non-minimal). <c>2.999</c>
/// is <c>88 37</c>. Decoding rejects sub-identifiers beyond uint32 (beyond 2^32+79 for the first), more than 128 arcs,
/// a truncated last group and non-minimal groups.
/// </summary>
internal static class BerOid
{
    /// <summary>Content length of <paramref name="arcs"/> (at least two arcs, checked by <see cref="SnmpOid"/>).</summary>
    public static int ContentSize(ReadOnlySpan<uint> arcs)
    {
        if (arcs.Length < 2)
        {
            return arcs.Length == 0 ? 0 : SubIdentifierSize(arcs[0] * 40UL);
        }

        int size = SubIdentifierSize((arcs[0] * 40UL) + arcs[1]);
        for (int i = 2; i < arcs.Length; i++)
        {
            size += SubIdentifierSize(arcs[i]);
        }

        return size;
    }

    /// <summary>Writes the content octets; false when <paramref name="destination"/> is too small.</summary>
    public static bool TryWriteContent(ReadOnlySpan<uint> arcs, Span<byte> destination, out int written)
    {
        written = ContentSize(arcs);
        if (destination.Length < written)
        {
            written = 0;
            return false;
        }

        if (arcs.Length == 0)
        {
            return true;
        }

        int position = WriteSubIdentifier(arcs.Length < 2 ? arcs[0] * 40UL : (arcs[0] * 40UL) + arcs[1], destination);
        for (int i = 2; i < arcs.Length; i++)
        {
            position += WriteSubIdentifier(arcs[i], destination[position..]);
        }

        return true;
    }

    /// <summary>Decodes content octets into <paramref name="arcs"/> (at least <see cref="SnmpOid.MaxArcs"/> long); false and a reason when malformed.</summary>
    public static bool TryReadContent(ReadOnlySpan<byte> content, Span<uint> arcs, out int count, out string? error)
    {
        count = 0;
        error = null;
        if (content.IsEmpty)
        {
            error = "empty OBJECT IDENTIFIER";
            return false;
        }

        int position = 0;
        bool first = true;
        while (position < content.Length)
        {
            if (content[position] == 0x80)
            {
                error = "OBJECT IDENTIFIER sub-identifier with a leading 0x80 octet (non-minimal)";
                return false;
            }

            ulong value = 0;
            bool complete = false;
            while (position < content.Length)
            {
                byte b = content[position++];
                value = (value << 7) | (uint)(b & 0x7F);
                if (value > uint.MaxValue + 80UL)
                {
                    error = "OBJECT IDENTIFIER sub-identifier larger than 2^32-1";
                    return false;
                }

                if ((b & 0x80) == 0)
                {
                    complete = true;
                    break;
                }
            }

            if (!complete)
            {
                error = "OBJECT IDENTIFIER ends inside a sub-identifier";
                return false;
            }

            if (first)
            {
                first = false;
                (uint x, ulong y) = value switch
                {
                    < 40 => (0u, value),
                    < 80 => (1u, value - 40),
                    _ => (2u, value - 80),
                };
                if (y > uint.MaxValue)
                {
                    error = "OBJECT IDENTIFIER second arc larger than 2^32-1";
                    return false;
                }

                arcs[count++] = x;
                arcs[count++] = (uint)y;
                continue;
            }

            if (value > uint.MaxValue)
            {
                error = "OBJECT IDENTIFIER sub-identifier larger than 2^32-1";
                return false;
            }

            if (count == SnmpOid.MaxArcs)
            {
                error = $"OBJECT IDENTIFIER with more than {SnmpOid.MaxArcs} arcs";
                return false;
            }

            arcs[count++] = (uint)value;
        }

        return true;
    }

    private static int SubIdentifierSize(ulong value)
    {
        int size = 1;
        while ((value >>= 7) != 0)
        {
            size++;
        }

        return size;
    }

    private static int WriteSubIdentifier(ulong value, Span<byte> destination)
    {
        int size = SubIdentifierSize(value);
        for (int i = size - 1; i >= 0; i--)
        {
            destination[i] = (byte)((value & 0x7F) | (i == size - 1 ? 0u : 0x80u));
            value >>= 7;
        }

        return size;
    }
}
