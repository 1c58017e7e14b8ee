namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// INTEGER content octets (X.690 §8.3): minimal two's complement, big-endian. 0 → <c>00</c>, 127 → <c>7F</c>,
/// 128 → <c>00 80</c>, −129 → <c>FF 7F</c>. SNMP's unsigned types (Counter32, Gauge32, TimeTicks, Counter64) use the
/// same rule, so a value with the top bit set carries a leading <c>00</c> (Counter64 2^64−1 is 9 octets).
/// </summary>
internal static class BerInteger
{
    public static int SignedSize(long value)
    {
        int size = 1;
        while (size < 8 && (value < -(1L << ((8 * size) - 1)) || value >= 1L << ((8 * size) - 1)))
        {
            size++;
        }

        return size;
    }

    public static int UnsignedSize(ulong value)
    {
        int size = 1;
        while (size < 9 && (size == 8 ? value >> 63 != 0 : value >= 1UL << ((8 * size) - 1)))
        {
            size++;
        }

        return size;
    }

    public static void WriteSigned(long value, Span<byte> destination)
    {
        for (int i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)value;
            value >>= 8;
        }
    }

    public static void WriteUnsigned(ulong value, Span<byte> destination)
    {
        for (int i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)value;
            value >>= 8;
        }
    }

    /// <summary>A signed value of at most 8 content octets; false when empty or longer.</summary>
    public static bool TryReadSigned(ReadOnlySpan<byte> content, out long value)
    {
        value = 0;
        if (content.IsEmpty || content.Length > 8)
        {
            return false;
        }

        value = (sbyte)content[0];
        for (int i = 1; i < content.Length; i++)
        {
            value = (value << 8) | content[i];
        }

        return true;
    }

    /// <summary>
    /// An unsigned value of at most <paramref name="maxOctets"/> octets after dropping one leading <c>00</c>; zero-extended,
    /// so agents that omit the <c>00</c> (or send a "negative" counter) still decode as unsigned (snmp-notes §1).
    /// </summary>
    public static bool TryReadUnsigned(ReadOnlySpan<byte> content, int maxOctets, out ulong value)
    {
        value = 0;
        if (content.IsEmpty)
        {
            return false;
        }

        if (content.Length > 1 && content[0] == 0)
        {
            content = content[1..];
        }

        if (content.Length > maxOctets)
        {
            return false;
        }

        foreach (byte b in content)
        {
            value = (value << 8) | b;
        }

        return true;
    }
}
