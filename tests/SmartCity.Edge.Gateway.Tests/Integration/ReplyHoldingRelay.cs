using System.Net;
using System.Net.Sockets;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// A loopback TCP relay in front of a real device that can hold the device's answers: after <see cref="HoldReplies"/>
/// the requests still reach the device (which acts on them and answers), but its answers wait in the relay until
/// <see cref="ReleaseReplies"/>. A test uses it to keep the gateway inside a device write while it changes something
/// else (stops the broker). It forwards bytes untouched; it imitates no protocol.
/// </summary>
internal sealed class ReplyHoldingRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly Lock _lock = new();
    private readonly List<Socket> _open = [];
    private readonly Task _acceptLoop;
    private TaskCompletionSource _replies = Released();

    private ReplyHoldingRelay(int targetPort)
    {
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    public static ReplyHoldingRelay Start(int targetPort) => new(targetPort);

    /// <summary>From now on the device's answers wait in the relay.</summary>
    public void HoldReplies()
    {
        lock (_lock)
        {
            if (_replies.Task.IsCompleted)
            {
                _replies = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>The answers held go on to the gateway, and so do later ones.</summary>
    public void ReleaseReplies()
    {
        lock (_lock)
        {
            _replies.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        ReleaseReplies();
        lock (_lock)
        {
            foreach (Socket socket in _open)
            {
                socket.Dispose();
            }

            _open.Clear();
        }

        await _acceptLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private static TaskCompletionSource Released()
    {
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        released.SetResult();
        return released;
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var device = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        lock (_lock)
        {
            _open.Add(client);
            _open.Add(device);
        }

        try
        {
            await device.ConnectAsync(IPAddress.Loopback, _targetPort);
            await Task.WhenAny(PumpAsync(client, device, hold: false), PumpAsync(device, client, hold: true));
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
            device.Dispose();
            lock (_lock)
            {
                _open.Remove(client);
                _open.Remove(device);
            }
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool hold)
    {
        byte[] buffer = new byte[4096];
        try
        {
            while (true)
            {
                int read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                {
                    return;
                }

                if (hold)
                {
                    Task released;
                    lock (_lock)
                    {
                        released = _replies.Task;
                    }

                    await released;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }
}
