using System.Numerics;

namespace SmartCity.Edge.Gateway.Buffer.Storage;

/// <summary>
/// Unsigned LEB128 integers (7 bits a byte, low group first, high bit set on every byte but the last) and the zigzag
/// mapping of signed ones (0, -1, 1, -2 … → 0, 1, 2, 3 …), as Protocol Buffers uses them. At most 10 bytes.
/// </summary>
internal static class VarInt
{
    public const int MaxLength = 10;

    public static int Length(ulong value) => value == 0 ? 1 : (64 - BitOperations.LeadingZeroCount(value) + 6) / 7;

    public static ulong ZigZag(long value) => unchecked((ulong)((value << 1) ^ (value >> 63)));

    public static long UnZigZag(ulong value) => unchecked((long)(value >> 1) ^ -(long)(value & 1));

    /// <summary>Writes <paramref name="value"/> at <paramref name="position"/>, which moves past it. The caller made room (<see cref="MaxLength"/>).</summary>
    public static void Write(Span<byte> destination, ref int position, ulong value)
    {
        while (value >= 0x80)
        {
            destination[position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[position++] = (byte)value;
    }

    /// <summary>
    /// Reads a varint at <paramref name="position"/>, which moves past it. False when the input ends inside it or it
    /// is longer than 10 bytes or overflows 64 bits (malformed: a writer of ours never produces that).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, ref int position, out ulong value)
    {
        value = 0;
        for (int shift = 0, i = position; i < source.Length && shift < 64; shift += 7, i++)
        {
            byte b = source[i];
            if (shift == 63 && b > 1)
            {
                return false;
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                position = i + 1;
                return true;
            }
        }

        return false;
    }
}
