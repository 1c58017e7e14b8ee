using System.Buffers.Binary;
using System.Device.I2c;

namespace SmartCity.Edge.Drivers.Tests.I2c;

/// <summary>
/// An SHT3x as its I2C interface behaves (Sensirion SHT3x-DIS datasheet, 4.3-4.4 and 4.12): 16-bit commands; after a
/// single-shot measurement command (Table 9: 0x2C06/0x2C0D/0x2C10 with clock stretching, 0x2400/0x240B/0x2416
/// without, high/medium/low repeatability) a 6-byte read returns T, CRC, RH, CRC; a read with no measurement
/// pending is not acknowledged.
/// </summary>
internal sealed class FakeSht3x : I2cDevice
{
    private readonly I2cConnectionSettings _settings = new(1, 0x44);
    private bool _measured;

    public FakeSht3x(ushort rawTemperature, ushort rawHumidity)
    {
        RawTemperature = rawTemperature;
        RawHumidity = rawHumidity;
    }

    public override I2cConnectionSettings ConnectionSettings => _settings;

    public ushort RawTemperature { get; set; }

    public ushort RawHumidity { get; set; }

    /// <summary>Flips a bit of the temperature word after its CRC was computed, as interference on the bus would.</summary>
    public bool CorruptNextMeasurement { get; set; }

    public List<ushort> Commands { get; } = [];

    /// <summary>CRC-8 of the datasheet (4.12): polynomial 0x31, initialisation 0xFF, no reflection, no final XOR.</summary>
    public static byte Crc8(byte msb, byte lsb)
    {
        byte crc = 0xFF;
        foreach (byte b in new[] { msb, lsb })
        {
            crc ^= b;
            for (int i = 0; i < 8; i++)
            {
                crc = (byte)((crc & 0x80) != 0 ? (crc << 1) ^ 0x31 : crc << 1);
            }
        }

        return crc;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length != 2)
        {
            throw new IOException("Error 121 performing I2C data transfer.");
        }

        ushort command = BinaryPrimitives.ReadUInt16BigEndian(buffer);
        Commands.Add(command);
        _measured = command is 0x2C06 or 0x2C0D or 0x2C10 or 0x2400 or 0x240B or 0x2416;
    }

    public override void Read(Span<byte> buffer)
    {
        if (!_measured || buffer.Length != 6)
        {
            // NACK: no measurement pending (datasheet 4.4).
            throw new IOException($"Error 121 performing I2C data transfer (read of {buffer.Length} bytes after commands {string.Join(", ", Commands.Select(c => $"0x{c:X4}"))}).");
        }

        _measured = false;
        BinaryPrimitives.WriteUInt16BigEndian(buffer, RawTemperature);
        buffer[2] = Crc8(buffer[0], buffer[1]);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[3..], RawHumidity);
        buffer[5] = Crc8(buffer[3], buffer[4]);
        if (CorruptNextMeasurement)
        {
            CorruptNextMeasurement = false;
            buffer[1] ^= 0x01;
        }
    }

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }
}
