using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// The <c>opcua</c> device driver on <see cref="UaClient"/>. Subscribed tags push readings to the sink from
/// <see cref="ConnectAsync"/> on, across reconnects, one frame per Publish response; <see cref="PollAsync"/> reads the poll-mode tags and throws
/// <see cref="DeviceException"/> once the connection has been down longer than the session timeout (the session
/// and its queued notifications are gone; the supervisor then recreates the driver).
/// </summary>
/// <remarks>
/// With <c>events:</c> and a gateway that takes device alarms, a second subscription watches the configured event
/// notifiers; ConditionRefresh after every connect and reconnect brings the conditions already active, and
/// acknowledgements go to the server's Acknowledge method (<see cref="IAcknowledgeDeviceAlarms"/>).
/// </remarks>
internal sealed class OpcUaDriver : IDeviceDriver, IUaDataChangeHandler, IAcknowledgeDeviceAlarms, IReadBackTags
{
    private readonly DeviceDescriptor _device;
    private readonly OpcUaSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly UaNodeReference?[] _nodes;
    private readonly string?[] _unresolved;
    private readonly CancellationTokenSource _disposed = new();
    private readonly OpcUaConditionEvents? _conditions;
    private UaClient? _client;
    private UaSubscription? _eventSubscription;
    private IReadingSink? _sink;
    private int _subscribedMarkedBad;

    /// <summary>The data changes of the notification message being delivered; handed on when it is complete.</summary>
    private ReadingFrame? _changes;

    private readonly string _dataDirectory;
    private readonly IDeviceGaugeSink? _gauges;
    private DateTimeOffset? _renewOwnCertificateAt;

    public OpcUaDriver(DeviceDescriptor device, OpcUaSettings settings, TimeProvider time, ILoggerFactory loggerFactory, string dataDirectory, IDeviceAlarmSink? deviceAlarms = null, IDeviceGaugeSink? gauges = null)
    {
        _dataDirectory = dataDirectory;
        _gauges = gauges;
        _device = device;
        _settings = settings;
        _time = time;
        _logger = loggerFactory.CreateLogger("SmartCity.Edge.Drivers.OpcUa");
        _nodes = new UaNodeReference?[settings.Tags.Count];
        _unresolved = new string?[settings.Tags.Count];
        if (settings.Events is { } events && deviceAlarms is not null)
        {
            _conditions = new OpcUaConditionEvents(device.Id, events, deviceAlarms, time, _logger);
        }
    }

    /// <summary>The client, for tests and diagnostics.</summary>
    internal UaClient? Client => _client;

    /// <summary>The device this driver serves (its tag list names the tag indexes), for tests and diagnostics.</summary>
    internal DeviceDescriptor Device => _device;

    public async ValueTask ConnectAsync(IReadingSink sink, CancellationToken cancellationToken)
    {
        _sink = sink;
        UaClientOptions options = OpcUaClientOptionsFactory.Create(
            _settings, "SmartCity.Edge " + _device.Id, _dataDirectory, $"OPC UA device {_device.Id}", _time,
            (thumbprint, file) => Log.TrustedOnFirstUse(_logger, _device.Id, thumbprint, file),
            OnOwnCertificate);
        _client = new UaClient(options, _time, _logger);
        _client.Reconnected += () =>
        {
            _ = RefreshAfterOutageAsync();
            _ = RefreshConditionsAsync(_disposed.Token);
        };
        try
        {
            await _client.ConnectAsync(cancellationToken).ConfigureAwait(false);
            await ResolveAsync(_client, cancellationToken).ConfigureAwait(false);
            await SubscribeAsync(_client, cancellationToken).ConfigureAwait(false);
            await SubscribeEventsAsync(_client, cancellationToken).ConfigureAwait(false);
        }
        catch (UaException ex)
        {
            throw ToDeviceException("cannot connect to", ex);
        }
    }

    public async ValueTask PollAsync(CancellationToken cancellationToken)
    {
        UaClient client = _client ?? throw new InvalidOperationException("PollAsync before ConnectAsync.");
        IReadingSink sink = _sink!;
        DateTimeOffset now = _time.GetUtcNow();
        if (client.DisconnectedSince is { } since && now - since > client.SessionTimeout)
        {
            throw new DeviceException(
                $"OPC UA server {_settings.Endpoint} unreachable for {(now - since).TotalSeconds:0} s, longer than the session timeout of {client.SessionTimeout.TotalSeconds:0} s; the session is lost")
            { Kind = "timeout" };
        }

        if (_renewOwnCertificateAt is { } renewAt && now >= renewAt)
        {
            // A connection that lasted into the renewal window: the next driver instance loads the certificate, finds it
            // due and renews it (OpcUaClientOptionsFactory), then connects with the new one.
            throw new DeviceException(
                $"OPC UA device {_device.Id}: the gateway's application certificate is due for renewal (renewal window from {renewAt:u}); reconnecting with a new one")
            { Kind = "certificate" };
        }

        List<int> indexes = TagIndexes(OpcUaTagMode.Poll);
        if (client.State != UaClientState.Connected)
        {
            // Reconnecting in the background: report the polled tags bad now rather than wait for it, and the
            // subscribed ones once (they get their current value again after the reconnect).
            List<int> subscribed = Interlocked.Exchange(ref _subscribedMarkedBad, 1) == 0 ? TagIndexes(OpcUaTagMode.Subscribe) : [];
            ReadingFrame bad = sink.CreateFrame();
            foreach (int i in indexes.Concat(subscribed))
            {
                bad.AddBad(i, "BadNotConnected", now);
            }

            await sink.PublishAsync(bad, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (indexes.Count == 0)
        {
            return;
        }

        UaDataValue[] values;
        try
        {
            values = await client.ReadAsync(indexes.Select(i => _nodes[i]!.Value).ToArray(), cancellationToken).ConfigureAwait(false);
        }
        catch (UaException ex)
        {
            // The client reconnects by itself; until then the polled tags are bad with the reason.
            ReadingFrame bad = sink.CreateFrame();
            foreach (int i in indexes)
            {
                bad.AddBad(i, ex.StatusCode.Name, now);
            }

            await sink.PublishAsync(bad, cancellationToken).ConfigureAwait(false);
            return;
        }

        ReadingFrame frame = sink.CreateFrame();
        for (int k = 0; k < indexes.Count; k++)
        {
            OpcUaTagSettings tag = _settings.Tags[indexes[k]];
            if (values[k].StatusCode.IsBad)
            {
                Log.TagBad(_logger, _device.Id, tag.Id, tag.Source, values[k].StatusCode.Name, HintFor(tag, values[k].StatusCode.Name));
            }

            frame.Add(OpcUaValueConverter.ToReading(indexes[k], values[k], now));
        }

        await sink.PublishAsync(frame, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask WriteAsync(string tagId, TagValue value, CancellationToken cancellationToken)
    {
        UaClient client = _client ?? throw new InvalidOperationException("WriteAsync before ConnectAsync.");
        UaNodeReference node = NodeOf(tagId);

        // The variable's type decides the encoding: read it first, then write the value converted to exactly that type.
        UaDataValue current = await ReadNodeAsync(client, tagId, node, "read the type of", cancellationToken).ConfigureAwait(false);
        UaBuiltInType type = current.Value.Type;
        string problem = "it holds an array";
        if (current.Value.IsArray || !OpcUaValueConverter.TryToVariant(value, type, out UaVariant variant, out problem))
        {
            throw new TagValueRejectedException($"cannot write {TagValueText.Describe(value)} to tag '{tagId}' ({node}): {problem}");
        }

        UaStatusCode result;
        try
        {
            // The client resolves a namespace URI on the session the write goes out on, and answers one status per value.
            result = await client.WriteAsync(node, new UaDataValue(variant), cancellationToken).ConfigureAwait(false);
        }
        catch (UaException ex)
        {
            throw ToDeviceException($"cannot write tag '{tagId}' on", ex);
        }

        if (!result.IsGood)
        {
            // Per-value status (OPC 10000-4 §5.10.4): the server did not write it; the session is fine.
            throw new DeviceTagRefusedException(result.Name, $"OPC UA server {_settings.Endpoint} refused the write of tag '{tagId}' ({node}): {result.Name}");
        }
    }

    /// <summary>Reads one tag's Value attribute now (after a write, to confirm it); nothing goes to the sink.</summary>
    public async ValueTask<TagValue> ReadTagAsync(string tagId, CancellationToken cancellationToken)
    {
        UaClient client = _client ?? throw new InvalidOperationException("ReadTagAsync before ConnectAsync.");
        UaNodeReference node = NodeOf(tagId);
        UaDataValue value = await ReadNodeAsync(client, tagId, node, "read", cancellationToken).ConfigureAwait(false);
        return OpcUaValueConverter.ToTagValue(value.Value);
    }

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync().ConfigureAwait(false);
        if (_client is not null)
        {
            await _client.DisposeAsync().ConfigureAwait(false);
        }
    }

    ValueTask IUaDataChangeHandler.OnDataChangeAsync(uint clientHandle, UaDataValue value, CancellationToken cancellationToken)
    {
        // The client handle is the tag's index (SubscribeAsync). Deliveries of one subscription come one at a time.
        if (clientHandle < _settings.Tags.Count && _sink is { } sink)
        {
            (_changes ??= sink.CreateFrame()).Add(OpcUaValueConverter.ToReading((int)clientHandle, value, _time.GetUtcNow()));
        }

        return ValueTask.CompletedTask;
    }

    ValueTask IUaDataChangeHandler.OnDataChangesCompleteAsync(CancellationToken cancellationToken)
    {
        ReadingFrame? changes = _changes;
        _changes = null;
        return changes is not null ? _sink!.PublishAsync(changes, cancellationToken) : ValueTask.CompletedTask;
    }

    ValueTask IUaDataChangeHandler.OnItemFailedAsync(uint clientHandle, UaStatusCode status, CancellationToken cancellationToken)
    {
        if (clientHandle >= _settings.Tags.Count || _sink is not { } sink)
        {
            return ValueTask.CompletedTask;
        }

        OpcUaTagSettings tag = _settings.Tags[(int)clientHandle];
        Log.TagBad(_logger, _device.Id, tag.Id, tag.Source, status.Name, HintFor(tag, status.Name));
        return sink.PublishAsync(TagReading.Bad((int)clientHandle, status.Name, _time.GetUtcNow()), cancellationToken);
    }

    /// <summary>The node of a configured tag; a tag whose browse path did not resolve cannot be written or read.</summary>
    private UaNodeReference NodeOf(string tagId)
    {
        for (int i = 0; i < _settings.Tags.Count; i++)
        {
            if (string.Equals(_settings.Tags[i].Id, tagId, StringComparison.Ordinal))
            {
                return _nodes[i] ?? throw new NotSupportedException($"tag '{tagId}' of OPC UA device '{_device.Id}' has no node: its path did not resolve ({_unresolved[i] ?? "not yet resolved"})");
            }
        }

        throw new NotSupportedException($"OPC UA device '{_device.Id}' has no tag '{tagId}'.");
    }

    /// <summary>One Read of one node's value; a bad status is the device's answer about this tag, not a connection failure.</summary>
    private async Task<UaDataValue> ReadNodeAsync(UaClient client, string tagId, UaNodeReference node, string what, CancellationToken cancellationToken)
    {
        UaDataValue[] values;
        try
        {
            values = await client.ReadAsync([node], cancellationToken).ConfigureAwait(false);
        }
        catch (UaException ex)
        {
            throw ToDeviceException($"cannot {what} tag '{tagId}' on", ex);
        }

        if (values.Length != 1)
        {
            throw new DeviceException($"OPC UA server {_settings.Endpoint} answered a read of tag '{tagId}' ({node}) with {values.Length} values for one node") { Kind = "protocol" };
        }

        if (values[0].StatusCode.IsBad)
        {
            throw new DeviceTagRefusedException(values[0].StatusCode.Name, $"OPC UA server {_settings.Endpoint} could not {what} tag '{tagId}' ({node}): {values[0].StatusCode.Name}");
        }

        return values[0];
    }

    private List<int> TagIndexes(OpcUaTagMode mode)
    {
        var indexes = new List<int>();
        for (int i = 0; i < _settings.Tags.Count; i++)
        {
            if (_settings.Tags[i].Mode == mode && _nodes[i] is not null)
            {
                indexes.Add(i);
            }
        }

        return indexes;
    }

    /// <summary>Subscribed tags reported bad during an outage get their current value once the client is back.</summary>
    private async Task RefreshAfterOutageAsync()
    {
        if (Interlocked.Exchange(ref _subscribedMarkedBad, 0) == 0 || _client is not { } client || _sink is not { } sink)
        {
            return;
        }

        List<int> indexes = TagIndexes(OpcUaTagMode.Subscribe);
        try
        {
            UaDataValue[] values = await client.ReadAsync(indexes.Select(i => _nodes[i]!.Value).ToArray(), _disposed.Token).ConfigureAwait(false);
            DateTimeOffset now = _time.GetUtcNow();
            ReadingFrame frame = sink.CreateFrame();
            for (int k = 0; k < indexes.Count; k++)
            {
                frame.Add(OpcUaValueConverter.ToReading(indexes[k], values[k], now));
            }

            await sink.PublishAsync(frame, _disposed.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is UaException or OperationCanceledException or ObjectDisposedException)
        {
            // Lost again or shutting down: the next outage handling or the next data change covers it.
            Interlocked.Exchange(ref _subscribedMarkedBad, 1);
        }
    }

    /// <summary>Turns <c>path:</c> tags into node ids with one TranslateBrowsePathsToNodeIds; unresolved tags report bad.</summary>
    private async Task ResolveAsync(UaClient client, CancellationToken cancellationToken)
    {
        var pathIndexes = new List<int>();
        for (int i = 0; i < _settings.Tags.Count; i++)
        {
            OpcUaTagSettings tag = _settings.Tags[i];
            if (tag.NodeId is { } node)
            {
                _nodes[i] = node;
            }
            else
            {
                pathIndexes.Add(i);
            }
        }

        if (pathIndexes.Count == 0)
        {
            return;
        }

        UaBrowsePathResult[] results = await client.TranslateBrowsePathsAsync(
            pathIndexes.Select(i => new UaBrowsePath(UaTypeIds.ObjectsFolder, _settings.Tags[i].Path!)).ToArray(), cancellationToken).ConfigureAwait(false);
        for (int k = 0; k < pathIndexes.Count; k++)
        {
            int i = pathIndexes[k];
            OpcUaTagSettings tag = _settings.Tags[i];
            UaBrowsePathResult? result = k < results.Length ? results[k] : null;
            if (result is { StatusCode.IsGood: true, Targets.Length: > 0 } && result.Targets[0].IsLocal)
            {
                _nodes[i] = new UaNodeReference(result.Targets[0].NodeId);
                continue;
            }

            string status = result?.StatusCode.Name ?? "BadNoMatch";
            _unresolved[i] = status;
            Log.PathUnresolved(_logger, _device.Id, tag.Id, tag.Source, status, HintFor(tag, status));
            await _sink!.PublishAsync(TagReading.Bad(i, status, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SubscribeAsync(UaClient client, CancellationToken cancellationToken)
    {
        var items = new List<UaMonitoredItemRequest>();
        for (int i = 0; i < _settings.Tags.Count; i++)
        {
            OpcUaTagSettings tag = _settings.Tags[i];
            if (tag.Mode == OpcUaTagMode.Subscribe && _nodes[i] is { } node)
            {
                items.Add(new UaMonitoredItemRequest(node.NodeId, (uint)i, tag.SamplingInterval.TotalMilliseconds, tag.QueueSize, tag.DeadbandType, tag.Deadband) { NamespaceUri = node.NamespaceUri });
            }
        }

        if (items.Count > 0)
        {
            await client.CreateSubscriptionAsync(_settings.PublishingInterval, _settings.KeepAliveInterval, items, this, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask AcknowledgeAlarmAsync(string conditionId, string? comment, CancellationToken cancellationToken)
    {
        UaClient client = _client ?? throw new InvalidOperationException("AcknowledgeAlarmAsync before ConnectAsync.");
        if (_conditions is null)
        {
            throw new DeviceAlarmAcknowledgeException("unknown_alarm", $"OPC UA device {_device.Id} does not watch alarms (no events: in its configuration)");
        }

        if (!_conditions.TryGetLatest(conditionId, out UaNodeId condition, out byte[] eventId))
        {
            throw new DeviceAlarmAcknowledgeException("unknown_alarm", $"OPC UA device {_device.Id} has reported no condition {conditionId} since it connected");
        }

        try
        {
            await client.AcknowledgeAsync(condition, eventId, comment ?? string.Empty, cancellationToken).ConfigureAwait(false);
            Log.ConditionAcknowledged(_logger, _device.Id, conditionId);
        }
        catch (UaServiceException ex) when (!IsConnectionStatus(ex.StatusCode))
        {
            // Request-scoped: e.g. BadEventIdUnknown (a newer event superseded ours), BadConditionBranchAlreadyAcked.
            Log.ConditionAcknowledgeFailed(_logger, _device.Id, conditionId, ex.StatusCode.Name);
            throw new DeviceAlarmAcknowledgeException(ex.StatusCode.Name, $"OPC UA server {_settings.Endpoint} refused to acknowledge {conditionId}: {ex.StatusCode.Name}", ex);
        }
        catch (UaException ex)
        {
            Log.ConditionAcknowledgeFailed(_logger, _device.Id, conditionId, ex.StatusCode.Name);
            throw ToDeviceException($"cannot acknowledge {conditionId} on", ex);
        }
    }

    private static bool IsConnectionStatus(UaStatusCode status) => status.Code is UaStatusCodes.BadNotConnected or UaStatusCodes.BadConnectionClosed
        or UaStatusCodes.BadTimeout or UaStatusCodes.BadSessionIdInvalid or UaStatusCodes.BadSessionClosed or UaStatusCodes.BadSecureChannelIdInvalid;

    /// <summary>The events subscription (its own, so ConditionRefresh concerns only it), then the first refresh.</summary>
    private async Task SubscribeEventsAsync(UaClient client, CancellationToken cancellationToken)
    {
        if (_conditions is null)
        {
            return;
        }

        _eventSubscription = await client.CreateSubscriptionAsync(_settings.PublishingInterval, _settings.KeepAliveInterval, _conditions.CreateItems(), _conditions, cancellationToken).ConfigureAwait(false);
        await RefreshConditionsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// ConditionRefresh: after a connect, and after a reconnect (the subscription may have been recreated, and
    /// conditions may have changed while events could not arrive). A server without alarms &amp; conditions support
    /// is logged, not fatal: changes still arrive as events.
    /// </summary>
    private async Task RefreshConditionsAsync(CancellationToken cancellationToken)
    {
        if (_conditions is null || _client is not { } client || _eventSubscription is not { } subscription)
        {
            return;
        }

        int accepted = subscription.ItemResults.Count(r => r.StatusCode.IsGood);
        if (accepted == 0)
        {
            return;
        }

        _conditions.BeginRefresh(accepted);
        try
        {
            await client.ConditionRefreshAsync(subscription, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is UaException or OperationCanceledException or ObjectDisposedException)
        {
            _conditions.CancelRefresh();
            if (ex is UaException ua)
            {
                Log.ConditionRefreshFailed(_logger, _device.Id, ua.StatusCode.Name);
            }
            else if (cancellationToken.IsCancellationRequested && !_disposed.IsCancellationRequested)
            {
                throw;
            }
        }
    }

    /// <summary>"; " and the hint of <see cref="OpcUaHints.ForTag"/>, or nothing: appended to the log line of a bad tag.</summary>
    private string HintFor(OpcUaTagSettings tag, string status) => OpcUaHints.ForTag(_device.Id, tag, status) is { } hint ? "; " + hint : string.Empty;

    /// <summary>
    /// The application certificate this connection uses: says when it was created or replaced (a renewed certificate
    /// must be trusted again on every server that does not accept unknown clients), remembers when it is due for
    /// renewal, and reports its days left as the gauge <c>opcua_certificate_days_left</c>.
    /// </summary>
    private void OnOwnCertificate(UaApplicationCertificate own)
    {
        string file = new UaCertificateStore(Path.Combine(_dataDirectory, "pki")).OwnCertificatePath;
        switch (own.Origin)
        {
            case UaOwnCertificateOrigin.Created:
                Log.OwnCertificateCreated(_logger, _device.Id, file, own.Thumbprint, own.NotAfter);
                break;
            case UaOwnCertificateOrigin.Renewed or UaOwnCertificateOrigin.ReplacedExpired:
                Log.OwnCertificateRenewed(_logger, _device.Id, own.PreviousNotAfter ?? own.NotBefore, file, own.Thumbprint, own.NotAfter);
                break;
            case UaOwnCertificateOrigin.ReplacedMismatch:
                Log.OwnCertificateReplaced(_logger, _device.Id, file, own.Thumbprint, own.NotAfter);
                break;
        }

        _renewOwnCertificateAt = own.RenewAt;
        DateTimeOffset notAfter = own.NotAfter;
        TimeProvider time = _time;
        _gauges?.SetGauge(
            _device.Id,
            "opcua_certificate_days_left",
            "Days until the gateway's OPC UA application certificate (used by this device) expires; it is renewed automatically 30 days before (a fifth of its lifetime if shorter), after which the server must trust the new one.",
            () => Math.Round((notAfter - time.GetUtcNow()).TotalDays, 3));
    }

    private DeviceException ToDeviceException(string what, UaException ex)
    {
        if (ex is UaCertificateException)
        {
            // Says which certificate and how to trust it (smartcity-edge opcua trust …): the technician's next step.
            Log.CertificateRefused(_logger, _device.Id, ex.Message);
            return new DeviceException($"OPC UA: {what} {_settings.Endpoint}: {ex.Message}", ex) { Kind = "certificate" };
        }

        string kind = ex.StatusCode.Code switch
        {
            UaStatusCodes.BadNotConnected or UaStatusCodes.BadConnectionClosed => "refused",
            UaStatusCodes.BadTimeout => "timeout",
            UaStatusCodes.BadUserAccessDenied or UaStatusCodes.BadIdentityTokenRejected or UaStatusCodes.BadIdentityTokenInvalid or UaStatusCodes.BadSecurityModeInsufficient => "auth",
            _ => "protocol",
        };
        if (kind == "auth" && OpcUaHints.ForLogin(ex.StatusCode, _settings.UserName, _settings.UserCertificate is not null, tool: false) is { } login)
        {
            // Plainly first: "service i=470 failed" says nothing to a technician whose password is wrong.
            return new DeviceException($"OPC UA: {what} {_settings.Endpoint}: {login}", ex) { Kind = kind };
        }

        return new DeviceException($"OPC UA: {what} {_settings.Endpoint}: {ex.Message}", ex) { Kind = kind };
    }
}
