using System.IO.Ports;

namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>Serial line parameters (SL §2.5.1: 8 data bits, even parity by default; no parity wants 2 stop bits, many devices use 1).</summary>
public sealed record ModbusSerialOptions(string PortName, int BaudRate, Parity Parity, int DataBits, StopBits StopBits)
{
    public const int DefaultBaudRate = 9600;
    public const int MinBaudRate = 300;
    public const int MaxBaudRate = 4_000_000;
    public const int DefaultDataBits = 8;
    public const Parity DefaultParity = Parity.Even;
    public const StopBits DefaultStopBits = StopBits.One;

    /// <summary>The names of <c>parity:</c> (YAML) and <c>--parity</c> (CLI).</summary>
    public static IReadOnlyDictionary<string, Parity> ParityNames { get; } = new Dictionary<string, Parity>(StringComparer.Ordinal)
    {
        ["none"] = Parity.None,
        ["even"] = Parity.Even,
        ["odd"] = Parity.Odd,
    };

    /// <summary>The names of <c>stop_bits:</c> (YAML) and <c>--stop-bits</c> (CLI).</summary>
    public static IReadOnlyDictionary<string, StopBits> StopBitsNames { get; } = new Dictionary<string, StopBits>(StringComparer.Ordinal)
    {
        ["1"] = StopBits.One,
        ["2"] = StopBits.Two,
    };

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
