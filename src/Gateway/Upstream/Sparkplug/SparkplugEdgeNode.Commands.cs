using SmartCity.Edge.Gateway.Upstream.Sparkplug.Node;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Payload;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Session;

namespace SmartCity.Edge.Gateway.Upstream.Sparkplug;

/// <summary>The facet of what arrives from the broker: NCMD, DCMD, the Primary Host's STATE, the connection closing.</summary>
internal sealed partial class SparkplugEdgeNode
{
    /// <summary>An NCMD is one or two metrics; a host sending more is not talking to us.</summary>
    private const int MaxCommandMetrics = 64;

    private async Task DrainEventsAsync(CancellationToken cancellationToken)
    {
        while (_events.Reader.TryRead(out SparkplugSessionEvent? e))
        {
            if (_session is not { } session || e.Connection != session.Connection)
            {
                continue; // an earlier connection's news
            }

            switch (e.Kind)
            {
                case SparkplugSessionEventKind.Disconnected:
                    throw new SparkplugSessionLostException("the connection closed: " + e.Detail);
                case SparkplugSessionEventKind.Rejected:
                    Ignored(e.Topic, e.Detail ?? "rejected");
                    RejectedDeviceCommand(e);
                    break;
                case SparkplugSessionEventKind.DeviceCommand:
                    ReadDeviceCommand(e.Topic, e.Payload);
                    break;
                case SparkplugSessionEventKind.NodeCommand:
                    ReadNodeCommand(e.Topic, e.Payload);
                    break;
                case SparkplugSessionEventKind.HostState:
                    await OnHostStateAsync(e.Topic, e.Payload, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    throw new InvalidOperationException($"unexpected session event {e.Kind}");
            }

            if (_state == SparkplugSessionState.Disconnected)
            {
                return; // the session ended (host offline): what is left belongs to it
            }
        }

        if (_nextServerRequested)
        {
            await LeaveAsync("NCMD Node Control/Next Server", cancellationToken).ConfigureAwait(false);
        }
        else if (_rebirthRequested && _state == SparkplugSessionState.Born)
        {
            // Several requests read in one go make one rebirth (Tahu debounces the same way).
            await PublishBirthsAsync(newConnection: false, "rebirth requested by NCMD", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// An NCMD (§6.4.23): Node Control/Rebirth = true and Node Control/Next Server = true, matched by name; everything
    /// else is logged and ignored. Garbage of any kind is logged and ignored; nothing here throws.
    /// </summary>
    private void ReadNodeCommand(string topic, byte[] payload)
    {
        SparkplugReceivedPayload command;
        try
        {
            command = SparkplugPayloadReader.Read(payload, MaxCommandMetrics);
        }
        catch (SparkplugPayloadException ex)
        {
            Ignored(topic, "not a Sparkplug B payload: " + ex.Message);
            return;
        }

        foreach (SparkplugReceivedMetric metric in command.Metrics)
        {
            bool rebirth = metric.Name == SparkplugNodeMetrics.Rebirth;
            if (!rebirth && metric.Name != SparkplugNodeMetrics.NextServer)
            {
                Ignored(topic, metric.Name is null ? "a metric without a name (node control metrics have no alias)" : $"metric '{Truncate(metric.Name)}' is not a node control this gateway has");
                continue;
            }

            bool isBoolean = metric.Value.Field == SparkplugValueField.Boolean && metric.DataType is null or (uint)SparkplugDataType.Boolean;
            if (!isBoolean || metric.IsNull)
            {
                Ignored(topic, $"'{metric.Name}' is not a Boolean value");
                continue;
            }

            if (metric.Value.Bits == 0)
            {
                continue; // false asks for nothing
            }

            if (rebirth)
            {
                if (!_rebirthRequested)
                {
                    SparkplugLog.RebirthRequested(_logger, "NCMD");
                }

                _rebirthRequested = true;
            }
            else
            {
                _nextServerRequested = true;
            }
        }
    }

    /// <summary>The Primary Host's STATE (§5.4, §5.5, §5.10): births when it is online, leave when it goes offline.</summary>
    private async Task OnHostStateAsync(string topic, byte[] payload, CancellationToken cancellationToken)
    {
        if (!SparkplugHostState.TryParse(payload, out SparkplugHostState state, out string? problem))
        {
            Ignored(topic, "not a STATE message: " + problem);
            return;
        }

        switch (_primaryHost!.Apply(_serverIndex, state))
        {
            case SparkplugHostVerdict.Stale:
                SparkplugLog.MessageIgnoredAgain(_logger, topic, $"STATE with timestamp {state.Timestamp}, older than the last one seen from the host");
                break;
            case SparkplugHostVerdict.Online when _state == SparkplugSessionState.AwaitingHost:
                await PublishBirthsAsync(newConnection: true, $"primary host '{_primaryHost.HostId}' online", cancellationToken).ConfigureAwait(false);
                break;
            case SparkplugHostVerdict.Offline when _state == SparkplugSessionState.Born:
                // tck-id-message-flow-edge-node-birth-publish-phid-offline: NDEATH, disconnect, next server; no backoff.
                await LeaveAsync($"primary host '{_primaryHost.HostId}' went offline", cancellationToken).ConfigureAwait(false);
                break;
            case SparkplugHostVerdict.Offline when _state == SparkplugSessionState.AwaitingHost:
                // Walk the other servers once (…-multiple-servers-walk); when all of them say offline, stay and wait for
                // the host here rather than circling (the broker replays the same retained STATE on every connect).
                if (_hostOfflineWalks < _configuration.Servers.Count - 1)
                {
                    _hostOfflineWalks++;
                    await LeaveAsync($"primary host '{_primaryHost.HostId}' is offline here", cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    SparkplugLog.HostOffline(_logger, _primaryHost.HostId, CurrentServer.ToString());
                    _hostDeadline = DateTimeOffset.MaxValue;
                }

                break;
        }
    }

    /// <summary>Logs an ignored message: the first of each kind per topic as a warning, repeats at debug (a flood must not flood the log).</summary>
    private void Ignored(string topic, string reason)
    {
        string key = topic.Length > 200 ? topic[..200] : topic;
        if (_ignoredLogged.Count < 1000 && _ignoredLogged.Add(key))
        {
            SparkplugLog.MessageIgnored(_logger, key, reason);
        }
        else
        {
            SparkplugLog.MessageIgnoredAgain(_logger, key, reason);
        }
    }

    private static string Truncate(string text) => text.Length <= 100 ? text : text[..100] + "…";
}
