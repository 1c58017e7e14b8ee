using System.IO.Ports;

namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>Serial line parameters (SL §2.5.1: 8 data bits, even parity by default; no parity wants 2 stop bits, many devices use 1).</summary>
internal sealed record ModbusSerialOptions(string PortName, int BaudRate, Parity Parity, int DataBits, StopBits StopBits)
{
    /// <summary>Bits per character on the wire: start + data + parity + stop.</summary>
    public int BitsPerCharacter => 1 + DataBits + (Parity == Parity.None ? 0 : 1) + (StopBits switch { StopBits.Two => 2, StopBits.OnePointFive => 2, _ => 1 });

    /// <summary>
    /// The silent interval that separates frames, t3.5 (SL §2.5.1.1): 3.5 characters, fixed at 1.75 ms above 19200 baud.
    /// </summary>
    public TimeSpan FrameGap => BaudRate > 19200
        ? TimeSpan.FromMicroseconds(1750)
        : TimeSpan.FromMicroseconds(3.5 * BitsPerCharacter * 1_000_000.0 / BaudRate);

    /// <summary>Whether two devices may share this bus: the line parameters must agree.</summary>
    public bool SameLineAs(ModbusSerialOptions other) =>
        BaudRate == other.BaudRate && Parity == other.Parity && DataBits == other.DataBits && StopBits == other.StopBits;
}
