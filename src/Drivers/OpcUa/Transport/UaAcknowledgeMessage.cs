using System.Buffers.Binary;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// Acknowledge (OPC 10000-6 §7.1.2.4), the body after the 8-byte header (20 bytes):
/// <code>
/// [ProtocolVersion UInt32][ReceiveBufferSize UInt32][SendBufferSize UInt32][MaxMessageSize UInt32][MaxChunkCount UInt32]
/// </code>
/// The server's ReceiveBufferSize bounds the chunks we send; its SendBufferSize the chunks we accept.
/// </summary>
public readonly record struct UaAcknowledgeMessage(uint ProtocolVersion, UaTransportLimits Limits)
{
    public const int BodySize = 20;

    /// <summary>Smallest buffer a peer may announce (§7.1.2.3: 8192 bytes).</summary>
    public const uint MinBufferSize = 8192;

    public static bool TryRead(ReadOnlySpan<byte> body, out UaAcknowledgeMessage message, out int consumed)
    {
        if (body.Length < BodySize)
        {
            message = default;
            consumed = 0;
            return false;
        }

        message = new UaAcknowledgeMessage(
            BinaryPrimitives.ReadUInt32LittleEndian(body),
            new UaTransportLimits(
                BinaryPrimitives.ReadUInt32LittleEndian(body[4..]),
                BinaryPrimitives.ReadUInt32LittleEndian(body[8..]),
                BinaryPrimitives.ReadUInt32LittleEndian(body[12..]),
                BinaryPrimitives.ReadUInt32LittleEndian(body[16..])));
        consumed = BodySize;
        return true;
    }

    public bool TryWrite(Span<byte> destination, out int written)
    {
        if (destination.Length < UaTcpMessageHeader.Size + BodySize)
        {
            written = 0;
            return false;
        }

        new UaTcpMessageHeader(UaMessageType.Acknowledge, UaChunkType.Final, UaTcpMessageHeader.Size + BodySize).TryWrite(destination, out _);
        Span<byte> body = destination[UaTcpMessageHeader.Size..];
        BinaryPrimitives.WriteUInt32LittleEndian(body, ProtocolVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(body[4..], Limits.ReceiveBufferSize);
        BinaryPrimitives.WriteUInt32LittleEndian(body[8..], Limits.SendBufferSize);
        BinaryPrimitives.WriteUInt32LittleEndian(body[12..], Limits.MaxMessageSize);
        BinaryPrimitives.WriteUInt32LittleEndian(body[16..], Limits.MaxChunkCount);
        written = UaTcpMessageHeader.Size + BodySize;
        return true;
    }
}
