using System.Device.I2c;

namespace SmartCity.Edge.Drivers.I2c;

/// <summary>
/// Passes the binding's transfers through and checks the CRC of each measurement it reads, because Iot.Device.Sht3x
/// (4.2.0) on a CRC mismatch returns its previous value as if it were new, which would report a stale reading as good.
/// Decoding stays with the binding; this only rejects what it would have accepted wrongly.
/// </summary>
/// <remarks>
/// SHT3x datasheet section 4.4/4.12: a measurement is 6 bytes, T MSB, T LSB, CRC, RH MSB, RH LSB, CRC.
/// <code>
/// +--------+--------+-------+---------+---------+--------+
/// | T[15:8]| T[7:0] | CRC-T | RH[15:8]| RH[7:0] | CRC-RH |
/// +--------+--------+-------+---------+---------+--------+
/// </code>
/// CRC-8: polynomial 0x31 (x^8 + x^5 + x^4 + 1), initial value 0xFF, no reflection, no final XOR; CRC(0xBEEF) = 0x92.
/// </remarks>
internal sealed class Sht3xChecksumGuard : I2cDevice
{
    private const int MeasurementLength = 6;
    private const byte Polynomial = 0x31;
    private const byte Initial = 0xFF;

    private readonly I2cDevice _inner;

    public Sht3xChecksumGuard(I2cDevice inner)
    {
        _inner = inner;
    }

    public override I2cConnectionSettings ConnectionSettings => _inner.ConnectionSettings;

    public static byte Crc8(ReadOnlySpan<byte> data)
    {
        byte crc = Initial;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80) != 0 ? (byte)((crc << 1) ^ Polynomial) : (byte)(crc << 1);
            }
        }

        return crc;
    }

    public override void Read(Span<byte> buffer)
    {
        _inner.Read(buffer);
        if (buffer.Length == MeasurementLength)
        {
            Check(buffer[..2], buffer[2], "temperature");
            Check(buffer[3..5], buffer[5], "humidity");
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer) => _inner.Write(buffer);

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer) => _inner.WriteRead(writeBuffer, readBuffer);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private static void Check(ReadOnlySpan<byte> word, byte received, string what)
    {
        byte expected = Crc8(word);
        if (expected != received)
        {
            throw new Sht3xChecksumException($"SHT3x {what} word failed its CRC check (received 0x{received:x2}, computed 0x{expected:x2}); interference on the bus or a long cable.");
        }
    }
}
