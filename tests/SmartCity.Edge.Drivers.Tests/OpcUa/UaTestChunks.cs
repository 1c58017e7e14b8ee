using System.Buffers.Binary;
using System.Net.Sockets;
using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>Helpers of the scripted OPC UA peers: whole chunks off a socket, and chunks built by hand with their size filled in.</summary>
internal static class UaTestChunks
{
    /// <summary>The written bytes with MessageSize (offset 4 of the UA TCP header, P6 §7.1.2.2) set to their length.</summary>
    public static byte[] Finish(UaBinaryWriter writer)
    {
        byte[] bytes = writer.WrittenSpan.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)bytes.Length);
        return bytes;
    }

    /// <summary>Reads one chunk: the 8-byte header, then MessageSize − 8 more bytes.</summary>
    public static async Task<byte[]> ReadChunkAsync(NetworkStream stream)
    {
        byte[] header = new byte[8];
        await stream.ReadExactlyAsync(header);
        int size = (int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
        byte[] chunk = new byte[size];
        header.CopyTo(chunk, 0);
        await stream.ReadExactlyAsync(chunk.AsMemory(8));
        return chunk;
    }
}
