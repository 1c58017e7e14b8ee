using System.Net;
using System.Net.Sockets;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// One unconnected UDP socket on an ephemeral port: datagrams out to the agent, datagrams in from anywhere (agents may
/// answer from another address of theirs, snmp-notes §2; replies are matched by request id and authenticated, not by
/// source). Receives into one 65 535-byte buffer (snmpd sends up to 65 507). Socket errors become
/// <see cref="SnmpException"/> kind <c>network</c> here, once.
/// </summary>
internal sealed class SnmpUdpTransport : IDisposable
{
    public const int MaxDatagram = 65535;

    private readonly Socket _socket;
    private readonly byte[] _receiveBuffer = new byte[MaxDatagram];
    private readonly EndPoint _anyRemote;

    public SnmpUdpTransport(AddressFamily family)
    {
        _socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        _anyRemote = family == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        _socket.Bind(_anyRemote);
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public async ValueTask SendAsync(ReadOnlyMemory<byte> datagram, EndPoint remote, CancellationToken cancellationToken)
    {
        try
        {
            await _socket.SendToAsync(datagram, SocketFlags.None, remote, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw new SnmpException($"cannot send to {remote}: {ex.Message}", "network", ex);
        }
    }

    /// <summary>The next datagram (a slice of the shared receive buffer, valid until the next call) and its sender.</summary>
    public async ValueTask<(ReadOnlyMemory<byte> Datagram, EndPoint Remote)> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                SocketReceiveFromResult result = await _socket.ReceiveFromAsync(_receiveBuffer, SocketFlags.None, _anyRemote, cancellationToken).ConfigureAwait(false);
                return (_receiveBuffer.AsMemory(0, result.ReceivedBytes), result.RemoteEndPoint);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            {
                // ICMP port unreachable from an earlier send (Windows), or an oversized datagram: not for us, keep listening.
            }
            catch (SocketException ex)
            {
                throw new SnmpException($"receiving failed: {ex.Message}", "network", ex);
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}
