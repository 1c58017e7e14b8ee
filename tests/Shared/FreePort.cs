using System.Net;
using System.Net.Sockets;

namespace SmartCity.Edge.Tests;

/// <summary>
/// Ports for peers that cannot bind port 0 and report what they got.
/// <para>
/// Prefer handing no port at all: a peer that binds port 0 and reports its port (the Modbus servers and node-opcua
/// print <c>READY port=N</c>; the gateway, given <c>http.listen: 127.0.0.1:0</c>, logs its HTTP address and
/// <c>GatewayProcess.WaitForHttpAsync</c> reads it) leaves no gap. <see cref="Next"/> has one: it binds port 0, reads
/// the port and releases it, and another process may take the port before the peer binds it. Only for peers that
/// cannot report: mosquitto (a <c>listener 0</c> means a Unix socket in mosquitto 2, and it never prints its TCP
/// port), socat's TCP listeners, the webhook receiver (<c>HttpListener</c> takes no port 0), Prometheus, a gateway
/// whose port another process reads from its file (<c>support-bundle</c>), and a gateway config's addresses that are
/// never listened on; snmpd likewise, on UDP (<see cref="FreeUdpPort"/>). Those peers are started with <see cref="StartWithRetryAsync{T}"/>,
/// which picks another port when the peer fails to bind the one it was given.
/// </para>
/// Linked into both test projects (tests/Shared).
/// </summary>
internal static class FreePort
{
    /// <summary>Bind failures tolerated before the start gives up (each one another process won a race for the port).</summary>
    public const int BindAttempts = 5;

    /// <summary>A loopback port the OS just handed out and took back (see the race above).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>
    /// Starts a peer on <see cref="Next"/> ports, trying new ones while <paramref name="start"/> throws
    /// <see cref="PortTakenException"/> (the peer said "address in use"): the race lost, not a failure.
    /// </summary>
    public static async Task<T> StartWithRetryAsync<T>(Func<Task<T>> start)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await start();
            }
            catch (PortTakenException) when (attempt < BindAttempts)
            {
            }
        }
    }
}

/// <summary>A peer could not bind the port it was handed because another process took it first.</summary>
internal sealed class PortTakenException(string message) : Exception(message);
