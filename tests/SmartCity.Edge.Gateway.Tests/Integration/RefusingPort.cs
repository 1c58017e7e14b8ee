using System.Net;
using System.Net.Sockets;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// A loopback port that refuses every connection for as long as this lives: the socket is bound but never listens, so
/// Linux answers a SYN with RST while no other process can take the port. (A port found free and released at once can be
/// taken by a peer another test starts meanwhile, and the "unreachable" device then answers.)
/// </summary>
internal sealed class RefusingPort : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public RefusingPort()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
    }

    public int Port { get; }

    public void Dispose() => _socket.Dispose();
}
