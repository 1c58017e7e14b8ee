using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// The gateway's trap and inform receiver: one UDP socket, every datagram checked before anything is believed.
/// <list type="number">
/// <item>The source address must be the host of a running <c>snmp</c> device (<see cref="SnmpTrapRouter"/>; several
/// routers when devices of the first configuration and of a reload come from different factory instances).</item>
/// <item>v1/v2c: the community must be that device's <c>trap_community</c> (compared in constant time).</item>
/// <item>v3: the user must be that device's, at its security level, with a valid MAC. A trap's sender is the
/// authoritative engine (keys localized to its engine ID, learned from the first authenticated trap); an inform's is
/// us (<see cref="SnmpLocalEngine"/>): we answer discovery probes, enforce the 150 s window with an authenticated
/// NotInTimeWindows Report, and acknowledge with a Response (RFC 3414 §1.5.1, §3.2; RFC 3416 §4.2.7).</item>
/// </list>
/// An inform is acknowledged every time it arrives but delivered once (retransmissions reuse the request-id). Dropped
/// datagrams are counted and logged once per source and reason (<see cref="SnmpTrapStatistics"/>). Nothing a datagram
/// holds can stop the loop.
/// </summary>
internal sealed class SnmpTrapListener : IDisposable
{
    /// <summary>Informs remembered for duplicate suppression (per listener; the oldest forgotten first).</summary>
    private const int MaxRecentInforms = 1024;

    /// <summary>The largest UDP payload over IPv4, as snmpd announces (snmp-notes §1).</summary>
    private const int MaxMessageSize = 65507;

    private static readonly TimeSpan s_window = SnmpEngine.Window;

    private readonly SnmpTrapListenerSettings _settings;
    private readonly IReadOnlyList<SnmpTrapRouter> _routers;
    private readonly SnmpLocalEngine _engine;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Socket _socket;
    private readonly byte[] _receiveBuffer = new byte[SnmpUdpTransport.MaxDatagram];
    private readonly byte[] _sendBuffer = new byte[SnmpUdpTransport.MaxDatagram];
    private readonly byte[] _plaintext = new byte[SnmpUdpTransport.MaxDatagram];
    private readonly Queue<(IPAddress Source, int Id)> _recentOrder = new();
    private readonly HashSet<(IPAddress Source, int Id)> _recent = [];
    private readonly Dictionary<(string Device, string Engine), (int Boots, int Time)> _senderEngines = [];
    private ulong _salt = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));

    /// <summary>Binds the socket at once, so a taken or privileged port fails the start with a clear message.</summary>
    public SnmpTrapListener(SnmpTrapListenerSettings settings, IReadOnlyList<SnmpTrapRouter> routers, SnmpLocalEngine engine, TimeProvider time, ILogger logger)
    {
        _settings = settings;
        _routers = routers;
        _engine = engine;
        _time = time;
        _logger = logger;
        Statistics = new SnmpTrapStatistics(logger);
        _socket = new Socket(settings.Listen.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.Bind(settings.Listen);
        }
        catch (SocketException ex)
        {
            _socket.Dispose();
            string hint = ex.SocketErrorCode == SocketError.AccessDenied
                ? "ports below 1024 need CAP_NET_BIND_SERVICE (the systemd unit grants it) or root"
                : "is another trap receiver (snmptrapd) running?";
            throw new SnmpException($"cannot listen for SNMP traps on {settings.Listen}: {ex.Message}; {hint}", "network", ex);
        }

        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public SnmpTrapStatistics Statistics { get; }

    public SnmpLocalEngine Engine => _engine;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Log.ListenerStarted(_logger, LocalEndPoint.ToString(), Convert.ToHexString(_engine.EngineId), _engine.Boots);
        if (IPAddress.IsLoopback(LocalEndPoint.Address))
        {
            Log.ListenerLoopbackOnly(_logger, LocalEndPoint.ToString());
        }

        EndPoint any = new IPEndPoint(LocalEndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(_receiveBuffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                Log.ListenerError(_logger, ex.Message);
                continue;
            }

            try
            {
                await HandleReceivedAsync(received.ReceivedBytes, (IPEndPoint)received.RemoteEndPoint, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is InvalidOperationException or SocketException)
            {
                // A sink closed during shutdown, or a reply that could not be sent: the next datagram is another story.
                Log.ListenerError(_logger, ex.Message);
            }
        }
    }

    public void Dispose() => _socket.Dispose();

    /// <summary>
    /// One datagram as if <paramref name="source"/> had sent it: the path <see cref="RunAsync"/> takes after a receive
    /// (the fuzzing harness feeds it; replies go to <paramref name="source"/>). A datagram longer than a UDP payload is cut.
    /// </summary>
    internal Task HandleDatagramAsync(ReadOnlySpan<byte> datagram, IPEndPoint source, CancellationToken cancellationToken)
    {
        int length = Math.Min(datagram.Length, _receiveBuffer.Length);
        datagram[..length].CopyTo(_receiveBuffer);
        return HandleReceivedAsync(length, source, cancellationToken);
    }

    /// <summary>The datagram in the receive buffer; a malformed one is counted and logged as rejected, nothing else is caught here.</summary>
    private async Task HandleReceivedAsync(int length, IPEndPoint source, CancellationToken cancellationToken)
    {
        try
        {
            await HandleAsync(length, source, cancellationToken).ConfigureAwait(false);
        }
        catch (SnmpDecodeException ex)
        {
            Statistics.Reject(source.Address, SnmpTrapRejection.Malformed, "not a well-formed SNMP message: " + ex.Message);
        }
        catch (SnmpException ex)
        {
            Statistics.Reject(source.Address, SnmpTrapRejection.Malformed, ex.Message);
        }
    }

    private async Task HandleAsync(int length, IPEndPoint source, CancellationToken cancellationToken)
    {
        IReadOnlyList<SnmpTrapTarget> targets = _routers.Count == 1 ? _routers[0].Find(source.Address) : [.. _routers.SelectMany(r => r.Find(source.Address))];
        if (targets.Count == 0)
        {
            Statistics.Reject(source.Address, SnmpTrapRejection.UnknownSource, "no snmp device has this host");
            return;
        }

        ReadOnlyMemory<byte> datagram = _receiveBuffer.AsMemory(0, length);
        SnmpVersion version = SnmpCommunityMessage.PeekVersion(datagram.Span);
        if (version == SnmpVersion.V3)
        {
            await HandleV3Async(datagram, source, targets, cancellationToken).ConfigureAwait(false);
            return;
        }

        SnmpPdu pdu = SnmpCommunityMessage.Read(datagram.Span, out _, out ReadOnlySpan<byte> community);
        List<SnmpTrapTarget> matching = [];
        foreach (SnmpTrapTarget target in targets)
        {
            if (target.Settings.Version != SnmpVersion.V3 && CryptographicOperations.FixedTimeEquals(community, target.TrapCommunity))
            {
                matching.Add(target);
            }
        }

        if (matching.Count == 0)
        {
            Statistics.Reject(source.Address, SnmpTrapRejection.WrongCommunity, "wrong community (not the device's trap_community)");
            return;
        }

        SnmpNotification? notification = pdu.Type switch
        {
            SnmpPduType.TrapV1 when version == SnmpVersion.V1 => SnmpNotification.FromV1(source, pdu),
            SnmpPduType.TrapV2 or SnmpPduType.InformRequest when version == SnmpVersion.V2c => SnmpNotification.FromV2(source, version, pdu),
            _ => null,
        };
        if (notification is null)
        {
            Statistics.Reject(source.Address, SnmpTrapRejection.NotANotification, $"a {pdu.Type} PDU is not a trap or inform (or lacks sysUpTime.0 and snmpTrapOID.0)");
            return;
        }

        if (notification.IsInform)
        {
            // A repeated inform (our Response was lost) is acknowledged again but delivered once. Counted before the
            // Response goes out, so a sender that sees the Response also sees the count.
            bool first = FirstTime(source.Address, pdu.RequestId);
            if (!first)
            {
                Statistics.CountDuplicate();
            }

            // RFC 3416 §4.2.7: a Response with the same request-id and varbinds, from the socket it came to.
            var response = new SnmpPdu(SnmpPduType.Response, pdu.RequestId, pdu.VarBinds);
            Span<byte> ack = SnmpCommunityMessage.Write(_sendBuffer, version, community, response);
            await SendAsync(ack.Length, source, cancellationToken).ConfigureAwait(false);
            if (!first)
            {
                return;
            }
        }

        await DeliverAsync(notification, matching, cancellationToken).ConfigureAwait(false);
    }

    private async Task HandleV3Async(ReadOnlyMemory<byte> datagram, IPEndPoint source, IReadOnlyList<SnmpTrapTarget> targets, CancellationToken cancellationToken)
    {
        int reply = 0;
        SnmpNotification? notification = null;
        List<SnmpTrapTarget> matching = [];
        int informRequestId = 0;
        {
            ReadOnlySpan<byte> message = datagram.Span;
            SnmpV3Envelope envelope = SnmpV3Message.Read(message);
            bool reportable = (envelope.Flags & SnmpV3Flags.Reportable) != 0;
            bool ours = envelope.EngineId.SequenceEqual(_engine.EngineId);
            if (envelope.UserName.IsEmpty || (envelope.EngineId.IsEmpty && reportable))
            {
                // Discovery probe of an inform sender (RFC 3414 §4): answer with our engine, boots and time.
                if (reportable && targets.Any(t => t.Settings.Version == SnmpVersion.V3) && !envelope.IsEncrypted)
                {
                    SnmpPdu probe = SnmpV3Message.ReadScopedPdu(envelope.Data, out _, out _);
                    reply = EncodeReport(envelope.MsgId, probe.RequestId, null, SnmpSecurityLevel.NoAuthNoPriv, UsmReport.UnknownEngineIds, ReadOnlySpan<byte>.Empty);
                }
                else
                {
                    Statistics.Reject(source.Address, SnmpTrapRejection.UnknownUser, "SNMPv3 message without a user name");
                }
            }
            else
            {
                foreach (SnmpTrapTarget target in targets)
                {
                    if (target.User is { } candidate && envelope.UserName.SequenceEqual(candidate.NameBytes))
                    {
                        matching.Add(target);
                    }
                }

                if (matching.Count == 0)
                {
                    Statistics.Reject(source.Address, SnmpTrapRejection.UnknownUser, $"unknown SNMPv3 user '{System.Text.Encoding.UTF8.GetString(envelope.UserName)}' (not the user of the device with this host)");
                    return;
                }

                UsmUser user = matching[0].User!;
                UsmOpenStatus status = UsmMessageProcessor.Open(message, envelope, user, _plaintext, out ReadOnlySpan<byte> scoped);
                if (status != UsmOpenStatus.Ok)
                {
                    (SnmpTrapRejection reason, string text) = status switch
                    {
                        UsmOpenStatus.WrongDigest => (SnmpTrapRejection.WrongDigest, $"authentication failed for SNMPv3 user '{user.Name}': wrong auth password or protocol at the sender, or a forged message"),
                        UsmOpenStatus.UnsupportedSecurityLevel => (SnmpTrapRejection.SecurityLevel, $"SNMPv3 user '{user.Name}' sent at another security level than configured ({user.Level})"),
                        _ => (SnmpTrapRejection.DecryptionError, $"cannot decrypt the message of SNMPv3 user '{user.Name}': wrong priv password or protocol at the sender"),
                    };
                    Statistics.Reject(source.Address, reason, text);
                    return;
                }

                SnmpPdu pdu = SnmpV3Message.ReadScopedPdu(scoped, out ReadOnlySpan<byte> contextEngineId, out ReadOnlySpan<byte> contextName);
                if (pdu.Type == SnmpPduType.InformRequest && ours)
                {
                    if (envelope.EngineBoots != _engine.Boots || Math.Abs((long)envelope.EngineTime - _engine.Time) > (long)s_window.TotalSeconds)
                    {
                        // RFC 3414 §3.2 step 7a: outside our window; the authenticated Report lets the sender resync.
                        Statistics.Reject(source.Address, SnmpTrapRejection.NotInTimeWindow, "inform outside the time window (the sender resynchronises from our Report)");
                        reply = EncodeReport(envelope.MsgId, pdu.RequestId, user, SnmpSecurityLevel.AuthNoPriv, UsmReport.NotInTimeWindows, contextName);
                    }
                    else
                    {
                        // The Response echoes the request's context (net-snmp puts the sender's own engine ID there).
                        var response = new SnmpPdu(SnmpPduType.Response, pdu.RequestId, pdu.VarBinds);
                        reply = UsmMessageProcessor.Encode(_sendBuffer, envelope.MsgId, MaxMessageSize, false, user, user.Level, _engine.EngineId, _engine.Boots, _engine.Time, contextEngineId, contextName, response, _salt++).Length;
                        notification = SnmpNotification.FromV2(source, SnmpVersion.V3, pdu);
                        informRequestId = pdu.RequestId;
                    }
                }
                else if (pdu.Type == SnmpPduType.TrapV2 && !ours)
                {
                    if (!SenderInWindow(matching[0].DeviceId, envelope.EngineId, envelope.EngineBoots, envelope.EngineTime))
                    {
                        Statistics.Reject(source.Address, SnmpTrapRejection.NotInTimeWindow, "trap from an older engine boot or more than 150 s behind (a replay?)");
                        return;
                    }

                    notification = SnmpNotification.FromV2(source, SnmpVersion.V3, pdu);
                }

                if (notification is null && reply == 0)
                {
                    Statistics.Reject(source.Address, SnmpTrapRejection.NotANotification, $"a {pdu.Type} PDU is not a trap or inform for this engine");
                    return;
                }
            }
        }

        // A repeated inform is counted before its Response goes out (see HandleAsync), delivered once.
        bool duplicate = notification is { IsInform: true } && !FirstTime(source.Address, informRequestId);
        if (duplicate)
        {
            Statistics.CountDuplicate();
        }

        if (reply > 0)
        {
            await SendAsync(reply, source, cancellationToken).ConfigureAwait(false);
        }

        if (notification is not null && !duplicate)
        {
            await DeliverAsync(notification, matching, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A Report at the end of <see cref="_sendBuffer"/>; returns its length.</summary>
    private int EncodeReport(int msgId, int requestId, UsmUser? user, SnmpSecurityLevel level, SnmpOid counter, ReadOnlySpan<byte> contextName)
    {
        var report = new SnmpPdu(SnmpPduType.Report, requestId, [new SnmpVarBind(counter, SnmpValue.Counter32((uint)Statistics.Rejected(SnmpTrapRejection.NotInTimeWindow)))]);
        return UsmMessageProcessor.Encode(_sendBuffer, msgId, MaxMessageSize, false, user, level, _engine.EngineId, _engine.Boots, _engine.Time, _engine.EngineId, contextName, report, _salt++).Length;
    }

    /// <summary>
    /// The non-authoritative side of the window for a trap sender (RFC 3414 §3.2 step 7b): remember its latest boots and
    /// time; with <c>strict_time_window</c>, refuse an older boot or a time more than 150 s behind.
    /// </summary>
    private bool SenderInWindow(string deviceId, ReadOnlySpan<byte> engineId, int boots, int time)
    {
        var key = (deviceId, Convert.ToHexString(engineId));
        lock (_senderEngines)
        {
            if (_senderEngines.TryGetValue(key, out (int Boots, int Time) latest))
            {
                bool behind = boots < latest.Boots || (boots == latest.Boots && time < latest.Time - (int)s_window.TotalSeconds);
                if (behind && _settings.StrictTimeWindow)
                {
                    return false;
                }

                if (boots < latest.Boots || (boots == latest.Boots && time <= latest.Time))
                {
                    return true;
                }
            }
            else if (_senderEngines.Count >= 1024)
            {
                _senderEngines.Clear();
            }

            _senderEngines[key] = (boots, time);
            return true;
        }
    }

    private bool FirstTime(IPAddress source, int requestId)
    {
        lock (_recent)
        {
            if (!_recent.Add((source, requestId)))
            {
                return false;
            }

            _recentOrder.Enqueue((source, requestId));
            if (_recentOrder.Count > MaxRecentInforms)
            {
                _recent.Remove(_recentOrder.Dequeue());
            }

            return true;
        }
    }

    private async Task SendAsync(int length, IPEndPoint destination, CancellationToken cancellationToken) =>
        await _socket.SendToAsync(_sendBuffer.AsMemory(_sendBuffer.Length - length, length), SocketFlags.None, destination, cancellationToken).ConfigureAwait(false);

    private async Task DeliverAsync(SnmpNotification notification, List<SnmpTrapTarget> targets, CancellationToken cancellationToken)
    {
        Statistics.CountDelivered();
        foreach (SnmpTrapTarget target in targets)
        {
            await target.DeliverAsync(notification, cancellationToken).ConfigureAwait(false);
        }
    }
}
