using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// The manager's side of one agent (RFC 3416 requests over RFC 3412/3414 messages): request ids, retransmissions,
/// timeouts, and for SNMPv3 engine discovery (RFC 3414 §4), the time window (§2.3, resynchronised once from an
/// authenticated NotInTimeWindows Report as net-snmp does), and Reports turned into typed errors (a Report is never
/// data). One request at a time; a poll is a sequence of requests. Usable without a container (CLI, benchmark).
/// </summary>
/// <remarks>
/// Replies are matched by request id (v1/v2c) or msgID (v3, which changes with every transmission, RFC 3412 §6.2);
/// late replies of an earlier transmission of the same request are accepted, those of earlier requests dropped.
/// A v1/v2c reply must carry our community; a v3 reply must carry a valid MAC at the user's level, or be an
/// unauthenticated Report (which can only make a request fail, never deliver a value).
/// </remarks>
public sealed class SnmpClient : IDisposable
{
    private readonly SnmpClientOptions _options;
    private readonly TimeProvider _time;
    private readonly SnmpUdpTransport _transport;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly byte[] _sendBuffer;
    private readonly byte[] _plaintext = new byte[SnmpUdpTransport.MaxDatagram];
    private readonly byte[] _community;
    private readonly byte[] _contextName;
    private readonly UsmUser? _user;
    private readonly SnmpSecurityLevel _level;
    private readonly List<int> _sentMsgIds = [];
    private SnmpEngine? _engine;
    private int _nextMsgId = RandomNumberGenerator.GetInt32(1, int.MaxValue / 2);
    private ulong _salt = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private long _discoveries;
    private long _retransmissions;
    private long _droppedReplies;

    public SnmpClient(SnmpClientOptions options, TimeProvider time)
    {
        if (options.Version == SnmpVersion.V3 && options.User is null)
        {
            throw new ArgumentException("SNMPv3 needs a user", nameof(options));
        }

        _options = options;
        _time = time;
        _transport = new SnmpUdpTransport(options.Agent.AddressFamily);
        _sendBuffer = new byte[Math.Max(SnmpV3Message.MinMaxSize, options.MaxMessageSize)];
        _community = Encoding.UTF8.GetBytes(options.Community);
        _contextName = Encoding.UTF8.GetBytes(options.ContextName);
        if (options.User is { } user)
        {
            _level = options.SecurityLevel ?? user.Level;
            _user = _level == user.Level ? user : Lowered(user, _level);
        }
    }

    public SnmpClientOptions Options => _options;

    /// <summary>The agent's engine once discovered (v3).</summary>
    internal SnmpEngine? Engine => _engine;

    /// <summary>Discovery exchanges so far (one per engine, again only after UnknownEngineIDs).</summary>
    public long Discoveries => Interlocked.Read(ref _discoveries);

    public long Retransmissions => Interlocked.Read(ref _retransmissions);

    /// <summary>Datagrams that were not a reply to the request in flight (late, forged, malformed, wrong community or MAC).</summary>
    public long DroppedReplies => Interlocked.Read(ref _droppedReplies);

    public Task<SnmpPdu> GetAsync(IReadOnlyList<SnmpOid> oids, CancellationToken cancellationToken) =>
        RequestAsync(SnmpPduType.GetRequest, oids, 0, 0, cancellationToken);

    public Task<SnmpPdu> GetNextAsync(IReadOnlyList<SnmpOid> oids, CancellationToken cancellationToken) =>
        RequestAsync(SnmpPduType.GetNextRequest, oids, 0, 0, cancellationToken);

    /// <summary>GetBulk (v2c/v3 only, RFC 3416 §4.2.3).</summary>
    public Task<SnmpPdu> GetBulkAsync(int nonRepeaters, int maxRepetitions, IReadOnlyList<SnmpOid> oids, CancellationToken cancellationToken)
    {
        if (_options.Version == SnmpVersion.V1)
        {
            throw new InvalidOperationException("GetBulk does not exist in SNMPv1");
        }

        return RequestAsync(SnmpPduType.GetBulkRequest, oids, nonRepeaters, maxRepetitions, cancellationToken);
    }

    /// <summary>
    /// Every instance below <paramref name="root"/>, in order: GetBulk (GetNext on v1). Stops when the agent leaves the
    /// subtree, says endOfMibView, returns an OID not after the one asked for (a looping agent), or after
    /// <paramref name="maxRows"/> instances.
    /// </summary>
    public async Task<IReadOnlyList<SnmpVarBind>> WalkAsync(SnmpOid root, int maxRepetitions, int maxRows, CancellationToken cancellationToken)
    {
        var rows = new List<SnmpVarBind>();
        SnmpOid cursor = root;
        while (rows.Count < maxRows)
        {
            SnmpPdu reply = _options.Version == SnmpVersion.V1
                ? await GetNextAsync([cursor], cancellationToken).ConfigureAwait(false)
                : await GetBulkAsync(0, Math.Min(maxRepetitions, maxRows - rows.Count), [cursor], cancellationToken).ConfigureAwait(false);
            if (reply.ErrorStatus == (int)SnmpErrorStatus.NoSuchName && _options.Version == SnmpVersion.V1)
            {
                break; // v1's end of the MIB
            }

            ThrowOnError(reply, [cursor]);
            if (reply.VarBinds.Count == 0)
            {
                break;
            }

            foreach (SnmpVarBind varBind in reply.VarBinds)
            {
                if (varBind.Value.Type == SnmpType.EndOfMibView || !varBind.Oid.IsBelow(root) || varBind.Oid <= cursor)
                {
                    return rows;
                }

                rows.Add(varBind);
                cursor = varBind.Oid;
                if (rows.Count == maxRows)
                {
                    break;
                }
            }
        }

        return rows;
    }

    /// <summary>Throws <see cref="SnmpErrorStatusException"/> for a Response with an error-status.</summary>
    public static void ThrowOnError(SnmpPdu reply, IReadOnlyList<SnmpOid> asked)
    {
        if (reply.ErrorStatus != 0)
        {
            throw new SnmpErrorStatusException((SnmpErrorStatus)reply.ErrorStatus, reply.ErrorIndex, reply.ErrorIndex >= 1 && reply.ErrorIndex <= asked.Count ? asked[reply.ErrorIndex - 1] : null);
        }
    }

    public void Dispose()
    {
        _transport.Dispose();
        _gate.Dispose();
    }

    private static UsmUser Lowered(UsmUser user, SnmpSecurityLevel level) => level switch
    {
        SnmpSecurityLevel.NoAuthNoPriv => new UsmUser(user.Name, SnmpAuthProtocol.None, null, SnmpPrivProtocol.None, null),
        _ => user.WithoutPrivacy(),
    };

    private async Task<SnmpPdu> RequestAsync(SnmpPduType type, IReadOnlyList<SnmpOid> oids, int nonRepeaters, int maxRepetitions, CancellationToken cancellationToken)
    {
        var varBinds = new SnmpVarBind[oids.Count];
        for (int i = 0; i < varBinds.Length; i++)
        {
            varBinds[i] = SnmpVarBind.Request(oids[i]);
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_options.Version != SnmpVersion.V3)
            {
                var pdu = new SnmpPdu(type, NextRequestId(), varBinds, nonRepeaters, maxRepetitions);
                return (await ExchangeAsync(pdu, oids, discovery: false, cancellationToken).ConfigureAwait(false)).Pdu;
            }

            bool resynchronised = false;
            bool rediscovered = false;
            while (true)
            {
                if (_engine is null)
                {
                    await DiscoverAsync(cancellationToken).ConfigureAwait(false);
                }

                var pdu = new SnmpPdu(type, NextRequestId(), varBinds, nonRepeaters, maxRepetitions);
                Reply reply = await ExchangeAsync(pdu, oids, discovery: false, cancellationToken).ConfigureAwait(false);
                if (reply.Pdu.Type != SnmpPduType.Report)
                {
                    return reply.Pdu;
                }

                SnmpOid reported = reply.Pdu.VarBinds.Count > 0 ? reply.Pdu.VarBinds[0].Oid : default;
                if (reported == UsmReport.NotInTimeWindows && reply.Authenticated && !resynchronised)
                {
                    // The agent restarted (snmpd -C starts at boots 1) or our estimate drifted: its authenticated Report is the truth.
                    _engine!.Resynchronize(reply.Boots, reply.Time);
                    resynchronised = true;
                    continue;
                }

                if (reported == UsmReport.UnknownEngineIds && !rediscovered)
                {
                    // The agent's engine ID changed (reconfigured or replaced): discover again, once.
                    _engine = null;
                    rediscovered = true;
                    continue;
                }

                throw UsmReport.ToException(reply.Pdu, _user!.Name);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>RFC 3414 §4: an empty noAuthNoPriv reportable GetRequest; the agent's Report names its engine, boots and time.</summary>
    private async Task DiscoverAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _discoveries);
        var probe = new SnmpPdu(SnmpPduType.GetRequest, NextRequestId(), []);
        Reply reply = await ExchangeAsync(probe, [], discovery: true, cancellationToken).ConfigureAwait(false);
        if (reply.EngineId.Length is < 5 or > SnmpV3Message.MaxEngineIdLength)
        {
            throw new SnmpException($"the agent at {_options.Agent} answered engine discovery without a valid engine ID ({reply.EngineId.Length} octets)", "protocol");
        }

        _engine = new SnmpEngine(reply.EngineId, reply.Boots, reply.Time, _time);
    }

    private async Task<Reply> ExchangeAsync(SnmpPdu request, IReadOnlyList<SnmpOid> expected, bool discovery, CancellationToken cancellationToken)
    {
        _sentMsgIds.Clear();
        int attempts = _options.Retries + 1;
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            if (attempt > 0)
            {
                Interlocked.Increment(ref _retransmissions);
            }

            ReadOnlyMemory<byte> datagram = Encode(request, discovery);
            await _transport.SendAsync(datagram, _options.Agent, cancellationToken).ConfigureAwait(false);
            using var timeout = new CancellationTokenSource(_options.Timeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                while (true)
                {
                    (ReadOnlyMemory<byte> received, _) = await _transport.ReceiveAsync(linked.Token).ConfigureAwait(false);
                    if (TryMatch(received.Span, request, expected, discovery, out Reply reply))
                    {
                        return reply;
                    }

                    Interlocked.Increment(ref _droppedReplies);
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // This attempt timed out: send again.
            }
        }

        throw new SnmpException(TimeoutMessage(attempts), "timeout");
    }

    private string TimeoutMessage(int attempts)
    {
        string tries = $"no answer from {_options.Agent} after {attempts} {(attempts == 1 ? "try" : "tries")} of {_options.Timeout.TotalSeconds:0.###} s";
        return _options.Version switch
        {
            SnmpVersion.V3 when _engine is null => $"{tries}: wrong host or port, or no SNMPv3 agent there",
            SnmpVersion.V3 when _level == SnmpSecurityLevel.AuthPriv => $"{tries}: wrong host, or a wrong priv password or priv protocol (the agent cannot decrypt the request and stays silent)",
            SnmpVersion.V3 => $"{tries}: wrong host or port",
            _ => $"{tries}: wrong community or host (an agent drops requests with a wrong community silently)",
        };
    }

    private ReadOnlyMemory<byte> Encode(SnmpPdu request, bool discovery)
    {
        if (_options.Version != SnmpVersion.V3)
        {
            Span<byte> message = SnmpCommunityMessage.Write(_sendBuffer, _options.Version, _community, request);
            return _sendBuffer.AsMemory(_sendBuffer.Length - message.Length);
        }

        int msgId = _nextMsgId;
        _nextMsgId = _nextMsgId == int.MaxValue ? 1 : _nextMsgId + 1;
        _sentMsgIds.Add(msgId);
        Span<byte> v3;
        if (discovery)
        {
            v3 = UsmMessageProcessor.Encode(_sendBuffer, msgId, _options.MaxMessageSize, true, null, SnmpSecurityLevel.NoAuthNoPriv, [], 0, 0, [], [], request, 0);
        }
        else
        {
            SnmpEngine engine = _engine!;
            v3 = UsmMessageProcessor.Encode(
                _sendBuffer,
                msgId,
                _options.MaxMessageSize,
                reportable: true,
                _user,
                _level,
                engine.EngineId,
                engine.Boots,
                engine.EstimatedTime,
                engine.EngineId,
                _contextName,
                request,
                _salt++);
        }

        return _sendBuffer.AsMemory(_sendBuffer.Length - v3.Length);
    }

    private bool TryMatch(ReadOnlySpan<byte> datagram, SnmpPdu request, IReadOnlyList<SnmpOid> expected, bool discovery, out Reply reply)
    {
        reply = default;
        try
        {
            if (_options.Version != SnmpVersion.V3)
            {
                SnmpPdu pdu = SnmpCommunityMessage.Read(datagram, out SnmpVersion version, out ReadOnlySpan<byte> community, expected);
                if (version != _options.Version || !community.SequenceEqual(_community) || pdu.Type != SnmpPduType.Response || pdu.RequestId != request.RequestId)
                {
                    return false;
                }

                reply = new Reply(pdu, true, [], 0, 0);
                return true;
            }

            SnmpV3Envelope envelope = SnmpV3Message.Read(datagram);
            if (!_sentMsgIds.Contains(envelope.MsgId))
            {
                return false;
            }

            bool authenticated = (envelope.Flags & SnmpV3Flags.Auth) != 0;
            if (!authenticated)
            {
                // Unauthenticated: only a Report may come this way (discovery, unknown user, wrong digest, level).
                if (envelope.IsEncrypted)
                {
                    return false;
                }

                SnmpPdu report = SnmpV3Message.ReadScopedPdu(envelope.Data, out _, out _);
                if (report.Type != SnmpPduType.Report && !(report.Type == SnmpPduType.Response && _level == SnmpSecurityLevel.NoAuthNoPriv && !discovery))
                {
                    return false;
                }

                reply = new Reply(report, false, envelope.EngineId.ToArray(), envelope.EngineBoots, envelope.EngineTime);
                return true;
            }

            if (discovery || _engine is null || !envelope.EngineId.SequenceEqual(_engine.EngineId))
            {
                return false;
            }

            UsmOpenStatus status = UsmMessageProcessor.Open(datagram, envelope, _user!, _plaintext, out ReadOnlySpan<byte> scoped, allowAuthNoPriv: true);
            if (status != UsmOpenStatus.Ok)
            {
                return false;
            }

            SnmpPdu answer = SnmpV3Message.ReadScopedPdu(scoped, out _, out _, expected);
            bool belowLevel = (envelope.Flags & SnmpV3Flags.Priv) == 0 && _level == SnmpSecurityLevel.AuthPriv;
            if (answer.Type is not (SnmpPduType.Response or SnmpPduType.Report) || (belowLevel && answer.Type != SnmpPduType.Report))
            {
                return false;
            }

            bool timeReport = answer.Type == SnmpPduType.Report && answer.VarBinds.Count > 0 && answer.VarBinds[0].Oid == UsmReport.NotInTimeWindows;
            if (!timeReport)
            {
                if (_engine.IsOutsideWindow(envelope.EngineBoots, envelope.EngineTime))
                {
                    return false; // a replay of an old message
                }

                _engine.Observe(envelope.EngineBoots, envelope.EngineTime);
            }

            reply = new Reply(answer, true, [], envelope.EngineBoots, envelope.EngineTime);
            return true;
        }
        catch (SnmpDecodeException)
        {
            return false;
        }
    }

    private static int NextRequestId() => RandomNumberGenerator.GetInt32(1, int.MaxValue);

    private readonly record struct Reply(SnmpPdu Pdu, bool Authenticated, byte[] EngineId, int Boots, int Time);
}
