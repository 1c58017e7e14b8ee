using System.Net.Sockets;
using System.Text;

namespace SmartCity.Edge.Gateway.Hosting;

/// <summary>
/// sd_notify(3) without libsystemd: one datagram of <c>KEY=VALUE</c> lines to the Unix socket named by
/// <c>$NOTIFY_SOCKET</c> (a leading <c>@</c> means the abstract namespace). Without the variable it does nothing,
/// so the same binary runs outside systemd, under Windows and in tests that point it at their own socket.
/// </summary>
internal sealed class SystemdNotifier : IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _endpoint;

    public SystemdNotifier(Func<string, string?> environment)
    {
        string? path = environment("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(path) || !Socket.OSSupportsUnixDomainSockets)
        {
            return;
        }

        _endpoint = new UnixDomainSocketEndPoint(path[0] == '@' ? "\0" + path[1..] : path);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    public bool IsEnabled => _socket is not null;

    /// <summary>Sends one notification, e.g. <c>READY=1</c>. Returns false when it could not be delivered.</summary>
    public bool Notify(string state)
    {
        if (_socket is null || _endpoint is null)
        {
            return false;
        }

        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(state), SocketFlags.None, _endpoint);
            return true;
        }
        catch (SocketException)
        {
            // systemd gone or socket replaced: a missed notification is not worth stopping the gateway for.
            return false;
        }
    }

    public void Dispose() => _socket?.Dispose();
}
