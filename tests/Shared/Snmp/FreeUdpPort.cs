using System.Net;
using System.Net.Sockets;

namespace SmartCity.Edge.Tests;

internal static class FreeUdpPort
{
    /// <summary>A UDP port that was free a moment ago (net-snmp tools cannot bind port 0 and report it).</summary>
    public static int Next()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
