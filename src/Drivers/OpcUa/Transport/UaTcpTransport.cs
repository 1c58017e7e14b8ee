using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// The UA TCP layer (OPC 10000-6 §7.1): a socket, the Hello/Acknowledge exchange and whole chunks in and out.
/// Every received chunk is checked against the negotiated buffer size before its body is read, so a peer can
/// never make us buffer more than one chunk of the size we accepted. Socket and stream errors are mapped here,
/// once, to <see cref="UaTransportException"/>. Receives are single-reader (the channel's receive loop); sends
/// are serialised by the secure channel.
/// </summary>
public sealed class UaTcpTransport : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private byte[] _receiveBuffer;

    private UaTcpTransport(Socket socket, UaTransportLimits local)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _receiveBuffer = ArrayPool<byte>.Shared.Rent((int)local.ReceiveBufferSize);
        Local = local;
        Negotiated = local;
    }

    /// <summary>What we announced in Hello.</summary>
    public UaTransportLimits Local { get; }

    /// <summary>
    /// After Acknowledge: ReceiveBufferSize = largest chunk we accept, SendBufferSize = largest chunk we may send,
    /// MaxMessageSize/MaxChunkCount = the server's bounds on our requests (0 = none).
    /// </summary>
    public UaTransportLimits Negotiated { get; private set; }

    /// <summary>Connects and performs Hello/Acknowledge. Throws <see cref="UaTransportException"/> on any failure.</summary>
    public static async Task<UaTcpTransport> ConnectAsync(UaEndpointUrl endpoint, UaTransportLimits limits, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        UaTcpTransport? transport = null;
        try
        {
            await socket.ConnectAsync(endpoint.Host, endpoint.Port, cancellationToken).ConfigureAwait(false);
            transport = new UaTcpTransport(socket, limits);
            await transport.HelloAsync(endpoint.Url, cancellationToken).ConfigureAwait(false);
            return transport;
        }
        catch (SocketException ex)
        {
            await DisposeQuietlyAsync(transport, socket).ConfigureAwait(false);
            throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadNotConnected), $"cannot connect to {endpoint.Host}:{endpoint.Port}: {ex.Message}", ex);
        }
        catch
        {
            await DisposeQuietlyAsync(transport, socket).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Receives one whole chunk (header included). The returned memory is valid until the next call.
    /// An ERR message throws <see cref="UaTransportException"/> with the server's status code.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReceiveChunkAsync(CancellationToken cancellationToken)
    {
        await ReadExactlyAsync(_receiveBuffer.AsMemory(0, UaTcpMessageHeader.Size), cancellationToken).ConfigureAwait(false);
        UaTcpMessageHeader.TryRead(_receiveBuffer, out UaTcpMessageHeader header, out _);
        uint limit = Math.Max(Negotiated.ReceiveBufferSize, UaAcknowledgeMessage.MinBufferSize);
        if (header.MessageSize > limit)
        {
            throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadTcpMessageTooLarge), $"{header.MessageType} chunk of {header.MessageSize} bytes exceeds the negotiated {limit}");
        }

        int size = (int)header.MessageSize;
        await ReadExactlyAsync(_receiveBuffer.AsMemory(UaTcpMessageHeader.Size, size - UaTcpMessageHeader.Size), cancellationToken).ConfigureAwait(false);
        if (header.MessageType == UaMessageType.Error)
        {
            UaErrorMessage error = UaErrorMessage.Read(_receiveBuffer.AsSpan(UaTcpMessageHeader.Size, size - UaTcpMessageHeader.Size));
            throw new UaTransportException(error.Error, $"server sent ERR: {error}");
        }

        return _receiveBuffer.AsMemory(0, size);
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
    {
        try
        {
            await _stream.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadConnectionClosed), $"send failed: {ex.Message}", ex);
        }
    }

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        byte[] buffer = Interlocked.Exchange(ref _receiveBuffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return ValueTask.CompletedTask;
    }

    private async Task HelloAsync(string endpointUrl, CancellationToken cancellationToken)
    {
        byte[] hello = new byte[UaTcpMessageHeader.Size + 24 + (endpointUrl.Length * 3)];
        new UaHelloMessage(0, Local, endpointUrl).TryWrite(hello, out int written);
        await SendAsync(hello.AsMemory(0, written), cancellationToken).ConfigureAwait(false);

        // Until Acknowledge arrives only an 8 KiB ACK or ERR is expected.
        Negotiated = Local with { ReceiveBufferSize = UaAcknowledgeMessage.MinBufferSize };
        ReadOnlyMemory<byte> reply = await ReceiveChunkAsync(cancellationToken).ConfigureAwait(false);
        UaTcpMessageHeader.TryRead(reply.Span, out UaTcpMessageHeader header, out _);
        if (header.MessageType != UaMessageType.Acknowledge || !UaAcknowledgeMessage.TryRead(reply.Span[UaTcpMessageHeader.Size..], out UaAcknowledgeMessage ack, out _))
        {
            throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadTcpMessageTypeInvalid), $"expected ACK after HEL, got {header.MessageType} of {header.MessageSize} bytes");
        }

        UaTransportLimits server = ack.Limits;
        if (server.ReceiveBufferSize < UaAcknowledgeMessage.MinBufferSize || server.SendBufferSize < UaAcknowledgeMessage.MinBufferSize)
        {
            throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadTcpInternalError), $"server buffers {server.ReceiveBufferSize}/{server.SendBufferSize} are below the 8192-byte minimum");
        }

        // §7.1.2.4: the server may lower but not raise our sizes.
        Negotiated = new UaTransportLimits(
            ReceiveBufferSize: Math.Min(Local.ReceiveBufferSize, server.SendBufferSize),
            SendBufferSize: Math.Min(Local.SendBufferSize, server.ReceiveBufferSize),
            MaxMessageSize: server.MaxMessageSize,
            MaxChunkCount: server.MaxChunkCount);
    }

    private async ValueTask ReadExactlyAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            await _stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException ex)
        {
            throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadConnectionClosed), "the server closed the connection", ex);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadConnectionClosed), $"receive failed: {ex.Message}", ex);
        }
    }

    private static async ValueTask DisposeQuietlyAsync(UaTcpTransport? transport, Socket socket)
    {
        if (transport is not null)
        {
            await transport.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            socket.Dispose();
        }
    }
}
