using System.Buffers.Binary;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>
/// A loopback TCP forwarder that counts the intermediate MSG chunks (chunk type <c>C</c>) passing each way, read from
/// the 8-byte UACP message header (OPC 10000-6 §7.1.2.2):
/// <code>
/// [MessageType 3 ASCII][ChunkType 1 ASCII][MessageSize UInt32 LE, whole chunk][...MessageSize − 8 bytes...]
/// </code>
/// The header is never encrypted, so this proves a message really was split into chunks on the wire.
/// </summary>
internal sealed class UaChunkCountingProxy : LoopbackTcpForwarder
{
    private int _intermediateFromServer;
    private int _intermediateFromClient;

    public UaChunkCountingProxy(int targetPort)
        : base(targetPort)
    {
    }

    /// <summary>MSG chunks of type C the server sent (parts of multi-chunk responses).</summary>
    public int IntermediateChunksFromServer => Volatile.Read(ref _intermediateFromServer);

    /// <summary>MSG chunks of type C the client sent (parts of multi-chunk requests).</summary>
    public int IntermediateChunksFromClient => Volatile.Read(ref _intermediateFromClient);

    protected override Action<byte[], int> CreateInspector(bool fromServer)
    {
        byte[] header = new byte[8];
        int headerFill = 0;
        long skip = 0;
        return (buffer, read) =>
        {
            // Headers may arrive split across reads: collect 8 bytes, then skip the rest of the chunk.
            int at = 0;
            while (at < read)
            {
                if (skip > 0)
                {
                    int take = (int)Math.Min(skip, read - at);
                    skip -= take;
                    at += take;
                    continue;
                }

                int copy = Math.Min(header.Length - headerFill, read - at);
                buffer.AsSpan(at, copy).CopyTo(header.AsSpan(headerFill));
                headerFill += copy;
                at += copy;
                if (headerFill == header.Length)
                {
                    if (header.AsSpan(0, 4).SequenceEqual("MSGC"u8))
                    {
                        Interlocked.Increment(ref fromServer ? ref _intermediateFromServer : ref _intermediateFromClient);
                    }

                    skip = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4)) - (long)header.Length;
                    headerFill = 0;
                }
            }
        };
    }
}
