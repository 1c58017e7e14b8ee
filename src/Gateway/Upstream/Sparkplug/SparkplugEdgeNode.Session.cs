using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Node;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Session;

namespace SmartCity.Edge.Gateway.Upstream.Sparkplug;

/// <summary>The session facet: connect, births, leaving a server, losing a connection, stopping.</summary>
internal sealed partial class SparkplugEdgeNode
{
    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        SparkplugServerAddress server = CurrentServer;
        long bdSeq = _bdSeqStore.Reserve();
        byte[] will = _encoder.NDeath(NowMilliseconds(), bdSeq).ToArray();
        long connection = ++_connections;
        SparkplugMqttSession session;
        try
        {
            session = await SparkplugMqttSession.ConnectAsync(_configuration, server, connection, _topics, _primaryHost?.StateTopic, will, _events.Writer, cancellationToken).ConfigureAwait(false);
        }
        catch (SparkplugConnectException ex)
        {
            if (!ex.ConnectSent)
            {
                _bdSeqStore.Release();
            }

            Failed(server, ex.Message);
            return;
        }

        _session = session;
        Interlocked.Exchange(ref _bdSeq, bdSeq);
        try
        {
            // §5.2: the subscriptions are in place (SUBACK) before the NBIRTH, so no command sent after it is missed.
            List<string> filters = [_topics.NCmd, _topics.DCmdFilter];
            if (_primaryHost is not null)
            {
                filters.Add(_primaryHost.StateTopic);
            }

            await session.SubscribeAsync(filters, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await DropSessionAsync().ConfigureAwait(false);
            Failed(server, ex is SparkplugSessionLostException ? ex.Message : "subscribing failed: " + ex.GetBaseException().Message);
            return;
        }

        SparkplugLog.Connected(_logger, server.ToString(), _configuration.ClientId, bdSeq);
        _rebirthRequested = false;
        _nextServerRequested = false;
        if (_primaryHost is not null)
        {
            MoveTo(SparkplugSessionState.AwaitingHost);
            _hostDeadline = _time.GetUtcNow() + _options.HostWait;
            if (_primaryHost.LastOnline(_serverIndex) != true)
            {
                SparkplugLog.WaitingForHost(_logger, server.ToString(), _primaryHost.HostId);
            }
        }
        else
        {
            await PublishBirthsAsync(newConnection: true, "new session", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// NBIRTH (seq 0, the connection's bdSeq), then a DBIRTH for every reachable device. The first births of a
    /// connection also fix the history window: what is committed up to now is replayed after them as historical.
    /// A rebirth (NCMD, a new alarm) repeats the births with the same bdSeq and no reconnect (§5.17).
    /// </summary>
    private async Task PublishBirthsAsync(bool newConnection, string reason, CancellationToken cancellationToken)
    {
        SparkplugMqttSession session = _session!;
        if (newConnection)
        {
            // Catch up fully first: the births carry the latest values, and what they cover is history.
            while (!await ObserveAsync(_source.LastSeq, cancellationToken).ConfigureAwait(false))
            {
            }

            StartReplay();
        }

        ulong now = NowMilliseconds();
        foreach (SparkplugAlarmState alarm in _alarms.Values)
        {
            alarm.Born = alarm.Last is not { Retired: true };
        }

        await PublishAsync(session, _topics.NBirth, _encoder.NBirth(_sequence.StartBirth(), now, _bdSeq, _alarms.Values.Where(a => a.Born)), cancellationToken).ConfigureAwait(false);
        int devices = 0;
        foreach (SparkplugDeviceState device in _devices.Values)
        {
            // After a reconnect every device counts as offline to the host; only reachable ones are born again.
            device.Born = false;
            if (device.Online)
            {
                await PublishDeviceBirthAsync(session, device, cancellationToken).ConfigureAwait(false);
                devices++;
            }
        }

        MoveTo(SparkplugSessionState.Born);
        _rebirthRequested = false;
        _hostOfflineWalks = 0;
        _failuresInARow = 0;
        _backoff.Reset();
        Births++;
        SparkplugLog.Born(_logger, devices, session.Server.ToString(), _bdSeq, reason);
    }

    private async Task PublishDeviceBirthAsync(SparkplugMqttSession session, SparkplugDeviceState device, CancellationToken cancellationToken)
    {
        await PublishAsync(session, _topics.DBirth(device.DeviceId), _encoder.DBirth(_sequence.Next(), NowMilliseconds(), device), cancellationToken).ConfigureAwait(false);
        device.Born = true;
    }

    private async Task PublishAsync(SparkplugMqttSession session, string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        await session.PublishAsync(topic, payload, cancellationToken).ConfigureAwait(false);
        MessagesPublished++;
        _unconfirmed = true;
    }

    /// <summary>
    /// Ends the session on purpose and moves to the next server at once (NCMD Next Server, the Primary Host offline,
    /// no STATE in time): NDEATH with the session's bdSeq, DISCONNECT
    /// (tck-id-operational-behavior-edge-node-termination-host-offline-reconnect, …-multiple-servers-walk).
    /// </summary>
    private async Task LeaveAsync(string reason, CancellationToken cancellationToken)
    {
        SparkplugServerAddress server = CurrentServer;
        await StopSessionAsync().ConfigureAwait(false);
        _serverIndex = (_serverIndex + 1) % _configuration.Servers.Count;
        _connectAt = _time.GetUtcNow();
        SparkplugLog.Leaving(_logger, server.ToString(), reason, CurrentServer.ToString());
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>The connection broke (or refused a subscription, or a publish failed): start over on the next server.</summary>
    private async Task LoseSessionAsync(string reason)
    {
        SparkplugServerAddress server = CurrentServer;
        bool wasBorn = _state == SparkplugSessionState.Born;
        await DropSessionAsync().ConfigureAwait(false);
        if (wasBorn)
        {
            SparkplugLog.SessionLost(_logger, server.ToString(), reason);
        }

        Failed(server, reason, log: !wasBorn);
    }

    /// <summary>Moves to the next server; after a whole round of failures in a row, waits a backoff first.</summary>
    private void Failed(SparkplugServerAddress server, string reason, bool log = true)
    {
        MoveTo(SparkplugSessionState.Disconnected);
        _failuresInARow++;
        _serverIndex = (_serverIndex + 1) % _configuration.Servers.Count;
        TimeSpan delay = _failuresInARow % _configuration.Servers.Count == 0 ? _backoff.Next() : TimeSpan.Zero;
        _connectAt = _time.GetUtcNow() + delay;
        if (log && _failuresInARow <= _configuration.Servers.Count)
        {
            // Once per server and outage: a broker down for hours must not fill the journal; the rest is at debug.
            SparkplugLog.Unavailable(_logger, server.ToString(), reason, CurrentServer.ToString(), delay.TotalSeconds);
        }
        else
        {
            SparkplugLog.StillUnavailable(_logger, server.ToString(), reason, delay.TotalSeconds);
        }
    }

    /// <summary>Closes the connection without a goodbye (it is broken, or the loop hit a bug).</summary>
    private async Task DropSessionAsync()
    {
        if (_session is { } session)
        {
            _session = null;
            await session.DisposeAsync().ConfigureAwait(false);
        }

        EndOfSession();
    }

    /// <summary>Says goodbye on a live connection (NDEATH at QoS 1, DISCONNECT), then closes it.</summary>
    private async Task StopSessionAsync()
    {
        if (_session is not { } session)
        {
            return;
        }

        _session = null;
        if (session.IsConnected)
        {
            await session.SayGoodbyeAsync(_encoder.NDeath(NowMilliseconds(), _bdSeq).ToArray(), _options.GoodbyeTimeout).ConfigureAwait(false);
            SparkplugLog.Stopped(_logger, _bdSeq, session.Server.ToString());
        }

        await session.DisposeAsync().ConfigureAwait(false);
        EndOfSession();
    }

    private void EndOfSession()
    {
        MoveTo(SparkplugSessionState.Disconnected);
        _unconfirmed = false;
        foreach (SparkplugDeviceState device in _devices.Values)
        {
            device.Born = false;
        }

        foreach (SparkplugAlarmState alarm in _alarms.Values)
        {
            alarm.Born = false;
        }
    }
}
