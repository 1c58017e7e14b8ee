namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// CRC-16/MODBUS (SL §2.5.1.2, App. B): initial value 0xFFFF, reflected polynomial 0xA001, no final XOR, sent low byte
/// first. The CRC over a whole frame including its CRC is 0. Table-driven: one lookup per byte.
/// </summary>
internal static class ModbusCrc16
{
    private static readonly ushort[] s_table = BuildTable();

    public static ushort Compute(ReadOnlySpan<byte> data)
    {
        ushort crc = 0xFFFF;
        ushort[] table = s_table;
        foreach (byte b in data)
        {
            crc = (ushort)((crc >> 8) ^ table[(crc ^ b) & 0xFF]);
        }

        return crc;
    }

    /// <summary>Appends the CRC of <c>frame[..length]</c> low byte first; returns the new length.</summary>
    public static int Append(Span<byte> frame, int length)
    {
        ushort crc = Compute(frame[..length]);
        frame[length] = (byte)crc;
        frame[length + 1] = (byte)(crc >> 8);
        return length + 2;
    }

    /// <summary>True when the last two bytes of <paramref name="frame"/> are the CRC of the rest.</summary>
    public static bool IsValid(ReadOnlySpan<byte> frame) => frame.Length >= 3 && Compute(frame) == 0;

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (int i = 0; i < 256; i++)
        {
            ushort value = (ushort)i;
            for (int bit = 0; bit < 8; bit++)
            {
                value = (value & 1) != 0 ? (ushort)((value >> 1) ^ 0xA001) : (ushort)(value >> 1);
            }

            table[i] = value;
        }

        return table;
    }
}
