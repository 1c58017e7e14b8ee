using System.Buffers.Binary;
using System.Text;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// Hello (OPC 10000-6 §7.1.2.3), after the 8-byte header:
/// <code>
/// [ProtocolVersion UInt32][ReceiveBufferSize UInt32][SendBufferSize UInt32][MaxMessageSize UInt32][MaxChunkCount UInt32][EndpointUrl String]
/// </code>
/// The EndpointUrl is at most 4096 bytes.
/// </summary>
public readonly record struct UaHelloMessage(uint ProtocolVersion, UaTransportLimits Limits, string EndpointUrl)
{
    public const int MaxEndpointUrlLength = 4096;

    public bool TryWrite(Span<byte> destination, out int written)
    {
        int urlLength = Encoding.UTF8.GetByteCount(EndpointUrl);
        if (urlLength > MaxEndpointUrlLength)
        {
            throw new UaEncodingException(new UaStatusCode(UaStatusCodes.BadTcpEndpointUrlInvalid), $"endpoint URL of {urlLength} bytes is longer than {MaxEndpointUrlLength}");
        }

        int size = UaTcpMessageHeader.Size + 24 + urlLength;
        if (destination.Length < size)
        {
            written = 0;
            return false;
        }

        new UaTcpMessageHeader(UaMessageType.Hello, UaChunkType.Final, (uint)size).TryWrite(destination, out _);
        Span<byte> body = destination[UaTcpMessageHeader.Size..];
        BinaryPrimitives.WriteUInt32LittleEndian(body, ProtocolVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(body[4..], Limits.ReceiveBufferSize);
        BinaryPrimitives.WriteUInt32LittleEndian(body[8..], Limits.SendBufferSize);
        BinaryPrimitives.WriteUInt32LittleEndian(body[12..], Limits.MaxMessageSize);
        BinaryPrimitives.WriteUInt32LittleEndian(body[16..], Limits.MaxChunkCount);
        BinaryPrimitives.WriteInt32LittleEndian(body[20..], urlLength);
        Encoding.UTF8.GetBytes(EndpointUrl, body[24..]);
        written = size;
        return true;
    }
}
