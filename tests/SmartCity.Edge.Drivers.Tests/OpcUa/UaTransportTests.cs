using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>
/// UA TCP layer against a scripted peer, for faults a real server does not make on demand: ERR messages,
/// oversize chunks, broken sequence numbers. Plus the header codec on hand-built bytes.
/// </summary>
public sealed class UaTransportTests
{
    [Fact]
    public void Header_HandBuiltBytes_ReadAndWriteSame()
    {
        byte[] bytes = [(byte)'M', (byte)'S', (byte)'G', (byte)'C', 0x20, 0x00, 0x00, 0x00];

        Assert.True(UaTcpMessageHeader.TryRead(bytes, out UaTcpMessageHeader header, out int consumed));
        Assert.Equal((UaMessageType.Message, UaChunkType.Intermediate, 32u, 8), (header.MessageType, header.ChunkType, header.MessageSize, consumed));
        byte[] written = new byte[8];
        Assert.True(header.TryWrite(written, out _));
        Assert.Equal(bytes, written);
    }

    [Fact]
    public void Header_FewerThanEightBytes_NeedsMore()
    {
        Assert.False(UaTcpMessageHeader.TryRead([(byte)'M', (byte)'S', (byte)'G'], out _, out int consumed));
        Assert.Equal(0, consumed);
    }

    [Theory]
    [InlineData("XYZF", "BadTcpMessageTypeInvalid")]
    [InlineData("OPNC", "BadTcpMessageTypeInvalid")]
    public void Header_UnknownTypeOrChunk_TypedError(string letters, string status)
    {
        byte[] bytes = [.. System.Text.Encoding.ASCII.GetBytes(letters), 8, 0, 0, 0];

        UaTransportException error = Assert.Throws<UaTransportException>(() => UaTcpMessageHeader.TryRead(bytes, out _, out _));

        Assert.Equal(status, error.StatusCode.Name);
    }

    [Fact]
    public async Task Hello_ServerAnswersErr_StatusNameAndReason()
    {
        await using var peer = new ScriptedPeer(async stream =>
        {
            await UaTestChunks.ReadChunkAsync(stream);
            using var writer = new UaBinaryWriter();
            writer.WriteBytes("ERRF"u8);
            writer.WriteUInt32(0);
            writer.WriteStatusCode(new UaStatusCode(UaStatusCodes.BadTcpEndpointUrlInvalid));
            writer.WriteString("no such endpoint");
            byte[] err = writer.WrittenSpan.ToArray();
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(err.AsSpan(4), (uint)err.Length);
            await stream.WriteAsync(err);
        });

        UaTransportException error = await Assert.ThrowsAsync<UaTransportException>(() => UaTcpTransport.ConnectAsync(peer.Endpoint, UaTransportLimits.Default, TestTimeouts.Token()));

        Assert.Equal("BadTcpEndpointUrlInvalid", error.StatusCode.Name);
        Assert.Contains("no such endpoint", error.Message);
    }

    [Fact]
    public async Task Receive_ChunkLargerThanNegotiated_BadTcpMessageTooLargeBeforeReadingIt()
    {
        await using var peer = new ScriptedPeer(async stream =>
        {
            await UaTestChunks.ReadChunkAsync(stream);
            byte[] ack = new byte[28];
            new UaAcknowledgeMessage(0, new UaTransportLimits(8192, 8192, 0, 0)).TryWrite(ack, out _);
            await stream.WriteAsync(ack);
            byte[] header = [(byte)'M', (byte)'S', (byte)'G', (byte)'F', 0, 0, 0, 0x10]; // 256 MiB declared, never sent
            await stream.WriteAsync(header);
        });
        await using UaTcpTransport transport = await UaTcpTransport.ConnectAsync(peer.Endpoint, new UaTransportLimits(8192, 8192, 0, 0), TestTimeouts.Token());

        UaTransportException error = await Assert.ThrowsAsync<UaTransportException>(async () => await transport.ReceiveChunkAsync(TestTimeouts.Token()));

        Assert.Equal("BadTcpMessageTooLarge", error.StatusCode.Name);
        Assert.Equal(8192u, transport.Negotiated.ReceiveBufferSize);
    }

    [Fact]
    public async Task Acknowledge_LowerServerBuffers_NegotiatedDown()
    {
        await using var peer = new ScriptedPeer(async stream =>
        {
            await UaTestChunks.ReadChunkAsync(stream);
            byte[] ack = new byte[28];
            new UaAcknowledgeMessage(0, new UaTransportLimits(ReceiveBufferSize: 16384, SendBufferSize: 9000, MaxMessageSize: 100000, MaxChunkCount: 7)).TryWrite(ack, out _);
            await stream.WriteAsync(ack);
        });

        await using UaTcpTransport transport = await UaTcpTransport.ConnectAsync(peer.Endpoint, UaTransportLimits.Default, TestTimeouts.Token());

        Assert.Equal(new UaTransportLimits(9000, 16384, 100000, 7), transport.Negotiated);
    }

    [Fact]
    public async Task ClientConnect_ServerNeverAnswersHello_BadTimeout()
    {
        await using var peer = new ScriptedPeer(async stream =>
        {
            await UaTestChunks.ReadChunkAsync(stream);
            while (await stream.ReadAsync(new byte[256]) > 0)
            {
                // say nothing until the client gives up
            }
        });
        var options = new UaClientOptions { Endpoint = peer.Endpoint, RequestTimeout = TimeSpan.FromMilliseconds(250) };
        await using var client = new UaClient(options, TimeProvider.System, NullLogger.Instance);

        UaTransportException error = await Assert.ThrowsAsync<UaTransportException>(() => client.ConnectAsync(TestTimeouts.Token()));

        Assert.Equal("BadTimeout", error.StatusCode.Name);
    }

    [Fact]
    public async Task SecureChannel_SequenceNumberJumps_ChannelFaultsWithBadSequenceNumberInvalid()
    {
        await using var peer = new ScriptedPeer(async stream =>
        {
            await UaTestChunks.ReadChunkAsync(stream);
            byte[] ack = new byte[28];
            new UaAcknowledgeMessage(0, new UaTransportLimits(65535, 65535, 0, 0)).TryWrite(ack, out _);
            await stream.WriteAsync(ack);
            byte[] open = await UaTestChunks.ReadChunkAsync(stream);
            var reader = new UaBinaryReader(open.AsSpan(12));
            reader.ReadString();
            reader.ReadByteString();
            reader.ReadByteString();
            reader.ReadUInt32();
            uint requestId = reader.ReadUInt32();
            await stream.WriteAsync(OpenResponse(sequence: 10, requestId));
            byte[] request = await UaTestChunks.ReadChunkAsync(stream);
            uint nextRequestId = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(request.AsSpan(20));
            await stream.WriteAsync(MessageChunk(sequence: 12, nextRequestId)); // 11 skipped
            while (await stream.ReadAsync(new byte[256]) > 0)
            {
                // hold the connection open until the client drops it
            }
        });
        await using UaSecureChannel channel = await UaSecureChannel.OpenAsync(peer.Endpoint, UaSecurityPolicyNone.Instance, UaSecureChannelOptions.Default, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token());

        UaTransportException error = await Assert.ThrowsAsync<UaTransportException>(() =>
            channel.SendRequestAsync<ReadResponse>(new ReadRequest(0, UaTimestampsToReturn.Both, new ArraySegment<UaReadValueId>([new UaReadValueId(2258)])), UaNodeId.Null, TimeSpan.FromSeconds(10), TestTimeouts.Token()));

        Assert.Equal("BadSequenceNumberInvalid", error.StatusCode.Name);
        Assert.Equal(UaSecureChannelState.Faulted, channel.State);
        Assert.True(channel.Closed.IsCancellationRequested);
    }

    private static byte[] OpenResponse(uint sequence, uint requestId)
    {
        using var writer = new UaBinaryWriter();
        writer.WriteBytes("OPNF"u8);
        writer.WriteUInt32(0);
        writer.WriteUInt32(3);
        writer.WriteString(UaSecurityPolicyNone.Uri);
        writer.WriteByteString(null);
        writer.WriteByteString(null);
        writer.WriteUInt32(sequence);
        writer.WriteUInt32(requestId);
        writer.WriteNodeId(UaTypeIds.OpenSecureChannelResponse);
        WriteResponseHeader(writer, requestId);
        writer.WriteUInt32(0);
        writer.WriteUInt32(3);
        writer.WriteUInt32(1);
        writer.WriteDateTime(DateTime.UtcNow);
        writer.WriteUInt32(600000);
        writer.WriteByteString(null);
        return UaTestChunks.Finish(writer);
    }

    private static byte[] MessageChunk(uint sequence, uint requestId)
    {
        using var writer = new UaBinaryWriter();
        writer.WriteBytes("MSGF"u8);
        writer.WriteUInt32(0);
        writer.WriteUInt32(3);
        writer.WriteUInt32(1);
        writer.WriteUInt32(sequence);
        writer.WriteUInt32(requestId);
        writer.WriteNodeId(UaTypeIds.ReadResponse);
        WriteResponseHeader(writer, requestId);
        writer.WriteInt32(0);
        writer.WriteInt32(0);
        return UaTestChunks.Finish(writer);
    }

    private static void WriteResponseHeader(UaBinaryWriter writer, uint handle)
    {
        writer.WriteDateTime(DateTime.UtcNow);
        writer.WriteUInt32(handle);
        writer.WriteUInt32(0);
        writer.WriteByte(0);
        writer.WriteInt32(-1);
        writer.WriteExtensionObject(UaExtensionObject.Null);
    }

    /// <summary>A one-connection loopback peer running a script; port 0.</summary>
    private sealed class ScriptedPeer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Task _script;

        public ScriptedPeer(Func<NetworkStream, Task> script)
        {
            _listener.Start();
            UaEndpointUrl.TryParse($"opc.tcp://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}", out UaEndpointUrl? endpoint, out _);
            Endpoint = endpoint!;
            _script = RunAsync(script);
        }

        public UaEndpointUrl Endpoint { get; }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            try
            {
                await _script.WaitAsync(TestTimeouts.Passing);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client closed first.
            }
        }

        private async Task RunAsync(Func<NetworkStream, Task> script)
        {
            using TcpClient client = await _listener.AcceptTcpClientAsync();
            await script(client.GetStream());
        }
    }
}
