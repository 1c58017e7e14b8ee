using System.Buffers.Binary;
using System.Device.I2c;

namespace SmartCity.Edge.Drivers.Tests.I2c;

/// <summary>
/// A BME280 as its I2C interface behaves (datasheet BST-BME280-DS002, 6.2 "I²C interface" and 5.3 "Memory map"):
/// a write of one byte sets the register pointer, a longer write is register/value pairs, and a read returns
/// consecutive registers from the pointer with auto-increment. The registers hold a trimming set and raw ADC values.
/// </summary>
internal sealed class FakeBme280 : I2cDevice
{
    public const byte ChipIdRegister = 0xD0;
    public const byte CtrlMeasRegister = 0xF4;

    private readonly byte[] _registers = new byte[256];
    private readonly I2cConnectionSettings _settings;
    private byte _pointer;

    public FakeBme280(int bus = 1, int address = 0x76)
    {
        _settings = new I2cConnectionSettings(bus, address);
        _registers[ChipIdRegister] = 0x60;
    }

    public override I2cConnectionSettings ConnectionSettings => _settings;

    public bool IsDisposed { get; private set; }

    /// <summary>When set, every transfer fails as a vanished device does (EREMOTEIO).</summary>
    public bool Unplugged { get; set; }

    public byte this[byte register]
    {
        get => _registers[register];
        set => _registers[register] = value;
    }

    /// <summary>
    /// Trimming parameters at their addresses (datasheet Table 16): dig_T1..dig_P9 little-endian words at 0x88..0x9F,
    /// dig_H1 at 0xA1, dig_H2 at 0xE1/0xE2, dig_H3 at 0xE3, dig_H4 at 0xE4[11:4]/0xE5[3:0], dig_H5 at 0xE5[7:4]/0xE6[11:4], dig_H6 at 0xE7.
    /// </summary>
    public void SetTrimming(ushort t1, short t2, short t3, ushort p1, short p2, short p3, short p4, short p5, short p6, short p7, short p8, short p9, byte h1, short h2, byte h3, short h4, short h5, sbyte h6)
    {
        Span<byte> span = _registers;
        BinaryPrimitives.WriteUInt16LittleEndian(span[0x88..], t1);
        BinaryPrimitives.WriteInt16LittleEndian(span[0x8A..], t2);
        BinaryPrimitives.WriteInt16LittleEndian(span[0x8C..], t3);
        BinaryPrimitives.WriteUInt16LittleEndian(span[0x8E..], p1);
        BinaryPrimitives.WriteInt16LittleEndian(span[0x90..], p2);
        BinaryPrimitives.WriteInt16LittleEndian(span[0x92..], p3);
        BinaryPrimitives.WriteInt16LittleEndian(span[0x94..], p4);
        BinaryPrimitives.WriteInt16LittleEndian(span[0x96..], p5);
        BinaryPrimitives.WriteInt16LittleEndian(span[0x98..], p6);
        BinaryPrimitives.WriteInt16LittleEndian(span[0x9A..], p7);
        BinaryPrimitives.WriteInt16LittleEndian(span[0x9C..], p8);
        BinaryPrimitives.WriteInt16LittleEndian(span[0x9E..], p9);
        _registers[0xA1] = h1;
        BinaryPrimitives.WriteInt16LittleEndian(span[0xE1..], h2);
        _registers[0xE3] = h3;
        _registers[0xE4] = (byte)(h4 >> 4);
        _registers[0xE5] = (byte)((h4 & 0x0F) | ((h5 & 0x0F) << 4));
        _registers[0xE6] = (byte)(h5 >> 4);
        _registers[0xE7] = unchecked((byte)h6);
    }

    /// <summary>
    /// Raw results (datasheet 5.4.7-5.4.9): press 0xF7..0xF9 and temp 0xFA..0xFC as 20-bit values left-aligned
    /// (msb, lsb, xlsb[7:4]), hum 0xFD..0xFE as a big-endian 16-bit value.
    /// </summary>
    public void SetRaw(int adcT, int adcP, int adcH)
    {
        WriteTwentyBit(0xF7, adcP);
        WriteTwentyBit(0xFA, adcT);
        BinaryPrimitives.WriteUInt16BigEndian(_registers.AsSpan(0xFD), (ushort)adcH);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ThrowIfUnplugged();
        if (buffer.Length == 1)
        {
            _pointer = buffer[0];
            return;
        }

        // Datasheet 6.2.1: a multi-byte write is (register, data) pairs; data registers are read-only.
        for (int i = 0; i + 1 < buffer.Length; i += 2)
        {
            if (buffer[i] < 0xF7)
            {
                _registers[buffer[i]] = buffer[i + 1];
            }
        }
    }

    public override void Read(Span<byte> buffer)
    {
        ThrowIfUnplugged();
        for (int i = 0; i < buffer.Length; i++)
        {
            buffer[i] = _registers[_pointer];
            _pointer = unchecked((byte)(_pointer + 1));
        }
    }

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }

    protected override void Dispose(bool disposing)
    {
        IsDisposed = true;
        base.Dispose(disposing);
    }

    private void WriteTwentyBit(int register, int value)
    {
        _registers[register] = (byte)(value >> 12);
        _registers[register + 1] = (byte)(value >> 4);
        _registers[register + 2] = (byte)((value & 0x0F) << 4);
    }

    private void ThrowIfUnplugged()
    {
        if (Unplugged)
        {
            throw new IOException("Error 121 performing I2C data transfer.");
        }
    }
}
