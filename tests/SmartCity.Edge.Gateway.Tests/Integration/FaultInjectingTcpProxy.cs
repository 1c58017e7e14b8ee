using System.Net;
using System.Net.Sockets;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// A loopback TCP proxy in front of a real device that, while armed, ends connections as a flaky device or network
/// does, at random points of the byte stream: on accept, or after forwarding a random part of a chunk in either
/// direction, it half-closes towards the client (FIN: the client reads end-of-stream while it can still write) or
/// resets (RST). <see cref="Swallow"/> makes the open connections silent instead (half-open: bytes vanish, no FIN,
/// no RST). It knows no protocol: real peers do not make these faults on demand, so a scripted proxy plays them
/// (style.md: scripted fakes only for faults real peers won't make). Seeded, so a failure can be replayed.
/// </summary>
internal sealed class FaultInjectingTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly double _probability;
    private readonly Random _random;
    private readonly Lock _lock = new();
    private readonly List<Link> _links = [];
    private readonly List<string> _faults = [];
    private readonly Task _acceptLoop;
    private bool _armed;

    public FaultInjectingTcpProxy(int targetPort, int seed, double faultProbability)
    {
        _targetPort = targetPort;
        _probability = faultProbability;
        _random = new Random(seed);
        Seed = seed;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    public int Seed { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Connections { get; private set; }

    /// <summary>The faults played so far, e.g. <c>RST after 5 of 12 bytes to the client</c>.</summary>
    public IReadOnlyList<string> Faults
    {
        get
        {
            lock (_lock)
            {
                return [.. _faults];
            }
        }
    }

    /// <summary>From now on each accept and each forwarded chunk ends its connection with the configured probability.</summary>
    public void Arm()
    {
        lock (_lock)
        {
            _armed = true;
        }
    }

    /// <summary>From now on every byte is forwarded untouched.</summary>
    public void Disarm()
    {
        lock (_lock)
        {
            _armed = false;
        }
    }

    /// <summary>Open connections stop forwarding in both directions and stay open (half-open); new ones work.</summary>
    public void Swallow()
    {
        lock (_lock)
        {
            foreach (Link link in _links)
            {
                link.Swallowed = true;
            }

            _faults.Add("swallowed the open connections");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        Link[] links;
        lock (_lock)
        {
            links = [.. _links];
        }

        foreach (Link link in links)
        {
            link.Close();
        }

        await _acceptLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
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

            Connections++;
            _ = RunAsync(client);
        }
    }

    private async Task RunAsync(Socket client)
    {
        client.NoDelay = true;
        if (TryDrawFault(0, out bool reset, out _))
        {
            Record(reset, "on accept");
            await EndClientAsync(client, reset);
            return;
        }

        var server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _targetPort);
        }
        catch (SocketException)
        {
            client.Dispose();
            server.Dispose();
            return;
        }

        var link = new Link(client, server);
        lock (_lock)
        {
            _links.Add(link);
        }

        try
        {
            await Task.WhenAll(PumpAsync(link, toServer: true), PumpAsync(link, toServer: false));
        }
        finally
        {
            link.Close();
            lock (_lock)
            {
                _links.Remove(link);
            }
        }
    }

    /// <summary>
    /// Forwards one direction. After a fault the client-side reader keeps draining what the client still sends
    /// (after a FIN it may write on) until it closes; the server-side reader ends when the server socket goes.
    /// </summary>
    private async Task PumpAsync(Link link, bool toServer)
    {
        Socket from = toServer ? link.Client : link.Server;
        Socket to = toServer ? link.Server : link.Client;
        string direction = toServer ? "to the server" : "to the client";
        byte[] buffer = new byte[4096];
        try
        {
            while (true)
            {
                int read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                {
                    if (!link.Ended)
                    {
                        to.Shutdown(SocketShutdown.Send);
                    }

                    return;
                }

                if (link.Ended || link.Swallowed)
                {
                    continue; // after a FIN, or on a half-open link: the bytes vanish
                }

                if (TryDrawFault(read, out bool reset, out int forwarded))
                {
                    if (forwarded > 0)
                    {
                        await to.SendAsync(buffer.AsMemory(0, forwarded), SocketFlags.None);
                    }

                    Record(reset, $"after {forwarded} of {read} bytes {direction}");
                    link.End(reset);
                    if (reset || !toServer)
                    {
                        return;
                    }

                    continue;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>A fault on accept: RST, or FIN and then drain until the client closes.</summary>
    private static async Task EndClientAsync(Socket client, bool reset)
    {
        try
        {
            if (reset)
            {
                client.LingerState = new LingerOption(true, 0);
                client.Close();
                return;
            }

            client.Shutdown(SocketShutdown.Send);
            byte[] sink = new byte[512];
            using var giveUp = new CancellationTokenSource(TestTimeouts.Long);
            while (await client.ReceiveAsync(sink, SocketFlags.None, giveUp.Token) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    private void Record(bool reset, string where)
    {
        lock (_lock)
        {
            _faults.Add($"{(reset ? "RST" : "FIN")} {where}");
        }
    }

    /// <summary>Whether to end the connection now; if so, RST or FIN, and how many of <paramref name="length"/> bytes go first.</summary>
    private bool TryDrawFault(int length, out bool reset, out int forwarded)
    {
        lock (_lock)
        {
            reset = _random.Next(2) == 0;
            forwarded = length > 0 ? _random.Next(0, length) : 0;
            return _armed && _random.NextDouble() < _probability;
        }
    }

    private sealed class Link(Socket client, Socket server)
    {
        private int _ended;

        public Socket Client { get; } = client;

        public Socket Server { get; } = server;

        public volatile bool Swallowed;

        public bool Ended => Volatile.Read(ref _ended) == 1;

        /// <summary>Drops the server side; towards the client a RST, or a FIN after which the client may still write.</summary>
        public void End(bool reset)
        {
            if (Interlocked.Exchange(ref _ended, 1) == 1)
            {
                return;
            }

            Server.Dispose();
            try
            {
                if (reset)
                {
                    Client.LingerState = new LingerOption(true, 0);
                    Client.Close();
                }
                else
                {
                    Client.Shutdown(SocketShutdown.Send);
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        }

        public void Close()
        {
            Client.Dispose();
            Server.Dispose();
        }
    }
}
