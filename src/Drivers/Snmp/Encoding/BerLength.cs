using System.Diagnostics;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// BER definite length (X.690 §8.1.3): short form <c>0xxxxxxx</c> (0–127), long form <c>1nnnnnnn</c> followed by n
/// big-endian octets. The indefinite form (<c>0x80</c>) is forbidden in SNMP (RFC 3417 §8) and rejected; non-minimal
/// long forms are legal input and accepted; we always write the minimal form. At most 4 length octets are read, and
/// the length must fit the bytes that follow (the caller's check): a hostile length never sizes a buffer.
/// </summary>
internal static class BerLength
{
    /// <summary>Reads a length. False when <paramref name="source"/> ends inside it or it is malformed (<paramref name="malformed"/> set).</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out int length, out int consumed, out bool malformed)
    {
        length = 0;
        consumed = 0;
        malformed = false;
        if (source.IsEmpty)
        {
            return false;
        }

        byte first = source[0];
        if (first < 0x80)
        {
            length = first;
            consumed = 1;
            return true;
        }

        int octets = first & 0x7F;
        if (octets == 0 || octets > 4)
        {
            // 0x80 is the indefinite form; more than 4 octets would exceed any datagram.
            malformed = true;
            return false;
        }

        if (source.Length < 1 + octets)
        {
            return false;
        }

        uint value = 0;
        for (int i = 1; i <= octets; i++)
        {
            value = (value << 8) | source[i];
        }

        if (value > int.MaxValue)
        {
            malformed = true;
            return false;
        }

        length = (int)value;
        consumed = 1 + octets;
        return true;
    }

    /// <summary>Octets the minimal encoding of <paramref name="length"/> takes.</summary>
    public static int SizeOf(int length)
    {
        Debug.Assert(length >= 0);
        return length switch
        {
            < 0x80 => 1,
            <= 0xFF => 2,
            <= 0xFFFF => 3,
            <= 0xFF_FFFF => 4,
            _ => 5,
        };
    }

    /// <summary>Writes the minimal encoding of <paramref name="length"/>; false when <paramref name="destination"/> is too small.</summary>
    public static bool TryWrite(Span<byte> destination, int length, out int written)
    {
        written = SizeOf(length);
        if (destination.Length < written)
        {
            written = 0;
            return false;
        }

        if (written == 1)
        {
            destination[0] = (byte)length;
            return true;
        }

        int octets = written - 1;
        destination[0] = (byte)(0x80 | octets);
        for (int i = octets; i >= 1; i--)
        {
            destination[i] = (byte)length;
            length >>= 8;
        }

        return true;
    }
}
