using System.Net;
using System.Net.Sockets;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>
/// A loopback TCP forwarder that can stall: while stalled it stops reading either side of every connection
/// (new ones included), as a network outage that keeps sockets open would. Resuming forwards what was held.
/// Used for faults the real server will not produce by itself.
/// </summary>
internal sealed class StallingTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private volatile TaskCompletionSource _running = Completed();
    private Task _acceptLoop = Task.CompletedTask;

    public StallingTcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Stall() => _running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Resume() => _running.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        Resume();
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

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
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

            _ = PumpAsync(client, server);
            _ = PumpAsync(server, client);
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        byte[] buffer = new byte[16384];
        try
        {
            NetworkStream input = from.GetStream();
            NetworkStream output = to.GetStream();
            while (true)
            {
                await _running.Task.WaitAsync(_stop.Token);
                int read = await input.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                // Data read just before a stall is held back too.
                await _running.Task.WaitAsync(_stop.Token);
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
