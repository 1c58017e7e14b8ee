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

            _ = PumpAsync(inbound, outbound);
            _ = PumpAsync(outbound, inbound);
        }
    }

    /// <summary>Copies one direction; when either side ends, both are closed, as a real network break would.</summary>
    private static async Task PumpAsync(Socket from, Socket to)
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
