using System.Net;
using System.Net.Sockets;

namespace SmartCity.Edge.Drivers.Tests;

/// <summary>
/// A loopback TCP forwarder between a client under test and a real peer: accepts on a free port, connects each
/// client to <c>127.0.0.1:targetPort</c> and pumps both ways. Subclasses look at or alter the bytes in flight, or hold
/// them back, or rewrite whole messages, for faults and facts the real peer will not produce or report by itself.
/// </summary>
internal abstract class LoopbackTcpForwarder : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly List<TcpClient> _connections = [];
    private readonly Task _acceptLoop;

    protected LoopbackTcpForwarder(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    protected CancellationTokenSource Stop { get; } = new();

    /// <summary>
    /// The inspector of one direction of one connection, called with each block read before it is forwarded (it may
    /// change the bytes); it keeps its own state across blocks. Null: forward untouched.
    /// </summary>
    protected virtual Action<byte[], int>? CreateInspector(bool fromServer) => null;

    /// <summary>
    /// The rewriter of one direction of one connection, for changes of length: called with each block read, returns
    /// what to forward in its place (possibly empty while it collects a whole message). Null: the inspector's bytes.
    /// </summary>
    protected virtual Func<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>? CreateRewriter(bool fromServer) => null;

    /// <summary>Awaited before each read and again before each write: a subclass holds traffic back here.</summary>
    protected virtual Task WaitUntilFlowingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Closes every connection open now (both sides), as a network cut would; new ones are accepted as before.</summary>
    public void DropConnections()
    {
        lock (_connections)
        {
            foreach (TcpClient connection in _connections)
            {
                connection.Dispose();
            }

            _connections.Clear();
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        Stop.Cancel();
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
    }

    private async Task AcceptLoopAsync()
    {
        while (!Stop.IsCancellationRequested)
        {
            TcpClient client = await _listener.AcceptTcpClientAsync(Stop.Token);
            var server = new TcpClient();
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _targetPort, Stop.Token);
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

            _ = PumpAsync(client, server, CreateInspector(fromServer: false), CreateRewriter(fromServer: false));
            _ = PumpAsync(server, client, CreateInspector(fromServer: true), CreateRewriter(fromServer: true));
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, Action<byte[], int>? inspect, Func<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>? rewrite)
    {
        byte[] buffer = new byte[16384];
        try
        {
            NetworkStream input = from.GetStream();
            NetworkStream output = to.GetStream();
            while (true)
            {
                await WaitUntilFlowingAsync(Stop.Token);
                int read = await input.ReadAsync(buffer, Stop.Token);
                if (read == 0)
                {
                    break;
                }

                inspect?.Invoke(buffer, read);
                ReadOnlyMemory<byte> forward = rewrite is null ? buffer.AsMemory(0, read) : rewrite(buffer.AsMemory(0, read));

                // Data read just before traffic was held back is held back too.
                await WaitUntilFlowingAsync(Stop.Token);
                await output.WriteAsync(forward, Stop.Token);
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
