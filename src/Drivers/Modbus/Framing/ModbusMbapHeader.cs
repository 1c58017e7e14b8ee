using System.Buffers.Binary;

namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// The MBAP header that precedes every PDU on Modbus TCP (AP §4.1; IG §3.1.3). All fields big-endian.
/// <code>
///  0               2               4               6       7
/// +---------------+---------------+---------------+-------+------------ - -
/// | TransactionId | ProtocolId=0  | Length        |UnitId | PDU (Length-1 bytes)
/// +---------------+---------------+---------------+-------+------------ - -
/// </code>
/// Length counts the unit id and the PDU, so it lies in 2..254; anything else (or a protocol id other than 0) means the
/// stream is corrupt and cannot be resynchronised (grid-x/modbus tcpclient.go closes the connection too).
/// </summary>
internal readonly record struct ModbusMbapHeader(ushort TransactionId, ushort ProtocolId, ushort Length, byte UnitId)
{
    public const int Size = 7;
    public const int MinLength = 2;
    public const int MaxLength = ModbusLimits.MaxPduLength + 1;

    /// <summary>Length of the PDU that follows the header.</summary>
    public int PduLength => Length - 1;

    /// <summary>Reads a header. False when fewer than 7 bytes are available. Throws a connection-scoped protocol error when malformed.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out ModbusMbapHeader header, out int consumed)
    {
        if (source.Length < Size)
        {
            header = default;
            consumed = 0;
            return false;
        }

        header = new ModbusMbapHeader(
            BinaryPrimitives.ReadUInt16BigEndian(source),
            BinaryPrimitives.ReadUInt16BigEndian(source[2..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[4..]),
            source[6]);
        if (header.ProtocolId != 0)
        {
            throw new ModbusProtocolException($"corrupt Modbus TCP stream: protocol id {header.ProtocolId} (expected 0); is this port really Modbus TCP (not RTU over TCP)?", ModbusErrorScope.Connection);
        }

        if (header.Length is < MinLength or > MaxLength)
        {
            throw new ModbusProtocolException($"corrupt Modbus TCP stream: MBAP length {header.Length} (expected {MinLength}..{MaxLength})", ModbusErrorScope.Connection);
        }

        consumed = Size;
        return true;
    }

    /// <summary>Writes the header. False when <paramref name="destination"/> is shorter than 7 bytes.</summary>
    public bool TryWrite(Span<byte> destination, out int written)
    {
        if (destination.Length < Size)
        {
            written = 0;
            return false;
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, TransactionId);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], ProtocolId);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], Length);
        destination[6] = UnitId;
        written = Size;
        return true;
    }
}
