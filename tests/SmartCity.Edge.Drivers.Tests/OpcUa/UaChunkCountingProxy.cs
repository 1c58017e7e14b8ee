using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>
/// A loopback TCP forwarder that counts the intermediate MSG chunks (chunk type <c>C</c>) passing each way, read from
/// the 8-byte UACP message header (OPC 10000-6 §7.1.2.2):
/// <code>
/// [MessageType 3 ASCII][ChunkType 1 ASCII][MessageSize UInt32 LE, whole chunk][...MessageSize − 8 bytes...]
/// </code>
/// The header is never encrypted, so this proves a message really was split into chunks on the wire.
/// </summary>
internal sealed class UaChunkCountingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private readonly Task _acceptLoop;
    private int _intermediateFromServer;
    private int _intermediateFromClient;

    public UaChunkCountingProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>MSG chunks of type C the server sent (parts of multi-chunk responses).</summary>
    public int IntermediateChunksFromServer => Volatile.Read(ref _intermediateFromServer);

    /// <summary>MSG chunks of type C the client sent (parts of multi-chunk requests).</summary>
    public int IntermediateChunksFromClient => Volatile.Read(ref _intermediateFromClient);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_connections)
        {
            foreach (TcpClient connection in _connections)
            {
                connection.Dispose();
            }
        }

        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var server = new TcpClient();
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            }
            catch (SocketException)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }

            lock (_connections)
            {
                _connections.Add(client);
                _connections.Add(server);
            }

            _ = PumpAsync(client, server, fromServer: false);
            _ = PumpAsync(server, client, fromServer: true);
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, bool fromServer)
    {
        byte[] buffer = new byte[16384];
        byte[] header = new byte[8];
        int headerFill = 0;
        long skip = 0;
        try
        {
            NetworkStream input = from.GetStream();
            NetworkStream output = to.GetStream();
            while (true)
            {
                int read = await input.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    break;
                }

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

                await output.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // Either side went away.
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }
}
