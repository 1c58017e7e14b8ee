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

    /// <summary>Set by <see cref="Hold"/>: the client's bytes are kept (per connection, in order) instead of sent.</summary>
    private bool _holding;
    private readonly List<HeldConnection> _clients = [];

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
    /// Keeps every byte the clients send from reaching the server (the connections stay open and keep reading, as on a
    /// congested link) until <see cref="ReleaseHoldAsync"/>; the server's bytes still flow to the clients.
    /// </summary>
    public void Hold()
    {
        lock (_lock)
        {
            _holding = true;
        }
    }

    /// <summary>Forwards what was held, in order, and everything after it.</summary>
    public async Task ReleaseHoldAsync()
    {
        HeldConnection[] clients;
        lock (_lock)
        {
            _holding = false;
            clients = [.. _clients];
        }

        foreach (HeldConnection client in clients)
        {
            try
            {
                await client.ForwardAsync(this, ReadOnlyMemory<byte>.Empty);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // A connection that was cut meanwhile: its held bytes go nowhere, as on a real network.
            }
        }
    }

    /// <summary>Waits until the bytes held back so far (all connections) satisfy <paramref name="match"/> (e.g. contain a packet).</summary>
    public async Task WaitForHeldAsync(Func<byte[], bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            lock (_lock)
            {
                if (match([.. _clients.SelectMany(c => c.Held)]))
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

            var client = new HeldConnection(outbound);
            lock (_lock)
            {
                _clients.Add(client);
            }

            _ = PumpAsync(inbound, outbound, client);
            _ = PumpAsync(outbound, inbound, held: null);
        }
    }

    /// <summary>Copies one direction; when either side ends, both are closed, as a real network break would.</summary>
    private async Task PumpAsync(Socket from, Socket to, HeldConnection? held)
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

                if (held is not null)
                {
                    await held.ForwardAsync(this, buffer.AsMemory(0, read));
                }
                else
                {
                    await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
                }
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

    /// <summary>The client-to-server side of one relayed connection: what is held back, and one sender at a time so order is kept.</summary>
    private sealed class HeldConnection(Socket server)
    {
        private readonly SemaphoreSlim _send = new(1, 1);

        /// <summary>Bytes read from the client and not sent yet; guarded by the relay's lock.</summary>
        public List<byte> Held { get; } = [];

        /// <summary>Holds <paramref name="chunk"/> while the relay holds, else sends what was held and then it.</summary>
        public async Task ForwardAsync(TcpRelay relay, ReadOnlyMemory<byte> chunk)
        {
            await _send.WaitAsync();
            try
            {
                byte[] pending;
                lock (relay._lock)
                {
                    Held.AddRange(chunk.Span);
                    if (relay._holding || Held.Count == 0)
                    {
                        return;
                    }

                    pending = [.. Held];
                    Held.Clear();
                }

                await server.SendAsync(pending, SocketFlags.None);
            }
            finally
            {
                _send.Release();
            }
        }
    }
}
