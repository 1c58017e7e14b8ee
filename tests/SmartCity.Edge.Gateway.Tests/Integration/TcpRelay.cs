using System.Net;
using System.Net.Sockets;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// A loopback TCP relay between the gateway and the real broker, so a test can cut the network without stopping
/// either side: <see cref="Cut"/> closes every relayed connection (both peers see the close at once, the broker
/// then publishes the gateway's will) and refuses new ones by closing them on accept, until <see cref="Restore"/>.
/// It forwards bytes untouched; it imitates no protocol.
/// </summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly Lock _lock = new();
    private readonly List<Socket> _open = [];
    private readonly Task _acceptLoop;
    private bool _cut;

    /// <summary>Set while <see cref="Hold"/> keeps the client's bytes from the server; completed by <see cref="ReleaseHold"/>.</summary>
    private TaskCompletionSource? _hold;
    private readonly List<byte> _held = [];

    private TcpRelay(int targetPort)
    {
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    public static TcpRelay Start(int targetPort) => new(targetPort);

    /// <summary>Closes every relayed connection and refuses new ones.</summary>
    public void Cut()
    {
        lock (_lock)
        {
            _cut = true;
            foreach (Socket socket in _open)
            {
                socket.Dispose();
            }

            _open.Clear();
        }
    }

    /// <summary>Relays new connections again.</summary>
    public void Restore()
    {
        lock (_lock)
        {
            _cut = false;
        }
    }

    /// <summary>
    /// Keeps every byte the client sends from reaching the server (the connection stays open, as on a congested link)
    /// until <see cref="ReleaseHold"/>; the server's bytes still flow to the client.
    /// </summary>
    public void Hold()
    {
        lock (_lock)
        {
            _hold ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Forwards what was held, in order, and everything after it.</summary>
    public void ReleaseHold()
    {
        TaskCompletionSource? hold;
        lock (_lock)
        {
            hold = _hold;
            _hold = null;
            _held.Clear();
        }

        hold?.SetResult();
    }

    /// <summary>Waits until the bytes held back so far satisfy <paramref name="match"/> (e.g. contain a packet).</summary>
    public async Task WaitForHeldAsync(Func<byte[], bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            lock (_lock)
            {
                if (match([.. _held]))
                {
                    return;
                }
            }

            try
            {
                await Task.Delay(10, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"the held bytes did not match within {timeout.TotalSeconds}s");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        Cut();
        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket inbound = await _listener.AcceptSocketAsync();
            Socket outbound = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            bool refused;
            lock (_lock)
            {
                refused = _cut;
                if (!refused)
                {
                    _open.Add(inbound);
                    _open.Add(outbound);
                }
            }

            if (refused)
            {
                inbound.Dispose();
                outbound.Dispose();
                continue;
            }

            try
            {
                await outbound.ConnectAsync(IPAddress.Loopback, _targetPort);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                inbound.Dispose();
                outbound.Dispose();
                continue;
            }

            _ = PumpAsync(inbound, outbound, clientToServer: true);
            _ = PumpAsync(outbound, inbound, clientToServer: false);
        }
    }

    /// <summary>Copies one direction; when either side ends, both are closed, as a real network break would.</summary>
    private async Task PumpAsync(Socket from, Socket to, bool clientToServer)
    {
        byte[] buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                int read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                {
                    break;
                }

                Task? hold = null;
                if (clientToServer)
                {
                    lock (_lock)
                    {
                        hold = _hold?.Task;
                        if (hold is not null)
                        {
                            _held.AddRange(buffer.AsSpan(0, read));
                        }
                    }
                }

                if (hold is not null)
                {
                    await hold;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }
}
