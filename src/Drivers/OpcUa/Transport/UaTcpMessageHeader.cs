using System.Buffers.Binary;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// The 8-byte header of every UA TCP message and secure-conversation chunk (OPC 10000-6 §7.1.2.2):
/// <code>
/// +---------+---------+---------+-----------+--------------------------+
/// | 'M'     | 'S'     | 'G'     | 'F'/'C'/'A'| MessageSize UInt32 (LE) |
/// +---------+---------+---------+-----------+--------------------------+
///   0         1         2         3           4..7  (whole chunk incl. header)
/// </code>
/// OPN, CLO and MSG chunks continue with SecureChannelId UInt32 (§6.7.2.2), read by the secure channel.
/// </summary>
public readonly record struct UaTcpMessageHeader(UaMessageType MessageType, UaChunkType ChunkType, uint MessageSize)
{
    public const int Size = 8;

    /// <summary>False when fewer than 8 bytes are available; throws <see cref="UaTransportException"/> for an unknown type.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out UaTcpMessageHeader header, out int consumed)
    {
        if (source.Length < Size)
        {
            header = default;
            consumed = 0;
            return false;
        }

        UaMessageType type = (source[0], source[1], source[2]) switch
        {
            ((byte)'H', (byte)'E', (byte)'L') => UaMessageType.Hello,
            ((byte)'A', (byte)'C', (byte)'K') => UaMessageType.Acknowledge,
            ((byte)'E', (byte)'R', (byte)'R') => UaMessageType.Error,
            ((byte)'R', (byte)'H', (byte)'E') => UaMessageType.ReverseHello,
            ((byte)'O', (byte)'P', (byte)'N') => UaMessageType.OpenSecureChannel,
            ((byte)'C', (byte)'L', (byte)'O') => UaMessageType.CloseSecureChannel,
            ((byte)'M', (byte)'S', (byte)'G') => UaMessageType.Message,
            _ => throw new UaTransportException(
                new UaStatusCode(UaStatusCodes.BadTcpMessageTypeInvalid),
                $"unknown message type 0x{source[0]:X2}{source[1]:X2}{source[2]:X2}"),
        };
        var chunk = (UaChunkType)source[3];
        if (chunk is not (UaChunkType.Final or UaChunkType.Intermediate or UaChunkType.Abort) || (chunk != UaChunkType.Final && type != UaMessageType.Message))
        {
            throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadTcpMessageTypeInvalid), $"chunk type 0x{source[3]:X2} is not valid for {type}");
        }

        uint size = BinaryPrimitives.ReadUInt32LittleEndian(source[4..]);
        if (size < Size)
        {
            throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadTcpMessageTypeInvalid), $"message size {size} is smaller than its header");
        }

        header = new UaTcpMessageHeader(type, chunk, size);
        consumed = Size;
        return true;
    }

    public bool TryWrite(Span<byte> destination, out int written)
    {
        if (destination.Length < Size)
        {
            written = 0;
            return false;
        }

        ReadOnlySpan<byte> letters = MessageType switch
        {
            UaMessageType.Hello => "HEL"u8,
            UaMessageType.Acknowledge => "ACK"u8,
            UaMessageType.Error => "ERR"u8,
            UaMessageType.ReverseHello => "RHE"u8,
            UaMessageType.OpenSecureChannel => "OPN"u8,
            UaMessageType.CloseSecureChannel => "CLO"u8,
            _ => "MSG"u8,
        };
        letters.CopyTo(destination);
        destination[3] = (byte)ChunkType;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], MessageSize);
        written = Size;
        return true;
    }
}
