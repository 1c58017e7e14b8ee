using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// A resilient OPC UA client: one session, its subscriptions and the Publish loop, and the reconnect logic of
/// OPC 10000-4 §6.7. On a lost connection (socket closed, ERR, missed keep-alives) it reconnects with exponential
/// backoff, re-activates the session on a new channel when the server still has it (then Republishes whatever was
/// sent but not received), or else creates a new session and transfers or recreates the subscriptions with the same
/// client handles. Usable without a container.
/// </summary>
public sealed class UaClient : IAsyncDisposable
{
    private static readonly TimeSpan s_watchdogPeriod = TimeSpan.FromMilliseconds(500);

    private readonly UaClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private readonly List<UaSubscription> _subscriptions = [];
    private readonly List<UaSubscriptionAcknowledgement> _acknowledgements = [];
    private readonly SemaphoreSlim _deliveryLock = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private UaSession? _session;
    private UaClientState _state = UaClientState.Disconnected;
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private PublishGeneration? _generation;
    private Task _reconnectLoop = Task.CompletedTask;
    private ITimer? _watchdog;
    private long _lastPublishResponseTicks;
    private long _lastActivityTicks;
    private int _keepAliveReadPending;

    public UaClient(UaClientOptions options, TimeProvider time, ILogger logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
    }

    public UaClientState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>Since when the connection is down; null while connected.</summary>
    public DateTimeOffset? DisconnectedSince { get; private set; }

    /// <summary>The server-revised session timeout; a connection down for longer than this has lost its session.</summary>
    public TimeSpan SessionTimeout => _session?.RevisedSessionTimeout ?? _options.SessionTimeout;

    public int ReconnectCount { get; private set; }

    /// <summary>Raised after a reconnect completed (session reactivated or recreated, subscriptions restored).</summary>
    public event Action? Reconnected;

    /// <summary>The current session (tests and diagnostics).</summary>
    internal UaSession? Session => _session;

    public UaEndpointUrl Endpoint => _options.Endpoint;

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        // A host that drops packets would leave the TCP connect hanging for minutes: bound the whole handshake.
        using var timeout = new CancellationTokenSource(_options.RequestTimeout * 2, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        UaSession session;
        try
        {
            session = await UaSession.CreateAsync(_options, _time, _logger, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadTimeout), $"no answer from {_options.Endpoint} within {(_options.RequestTimeout * 2).TotalSeconds:0} s");
        }

        lock (_lock)
        {
            _session = session;
            TransitionTo(UaClientState.Connected);
        }

        Interlocked.Exchange(ref _lastActivityTicks, _time.GetUtcNow().UtcTicks);
        StartConnectionScope(session);
        _watchdog = _time.CreateTimer(static s => ((UaClient)s!).CheckKeepAlive(), this, s_watchdogPeriod, s_watchdogPeriod);
    }

    public async Task<UaDataValue[]> ReadAsync(IReadOnlyList<UaReadValueId> nodes, CancellationToken cancellationToken)
    {
        UaSession session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
        return await Guard(session.ReadAsync(nodes, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the Value attribute of configured nodes, resolving namespace URIs with the NamespaceArray of the session
    /// the request goes out on (never a stale one from before a reconnect); a URI that server lacks reads as
    /// BadNodeIdUnknown.
    /// </summary>
    public async Task<UaDataValue[]> ReadAsync(IReadOnlyList<UaNodeReference> nodes, CancellationToken cancellationToken)
    {
        UaSession session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
        var results = new UaDataValue[nodes.Count];
        var known = new List<int>(nodes.Count);
        var request = new List<UaReadValueId>(nodes.Count);
        for (int i = 0; i < nodes.Count; i++)
        {
            if (nodes[i].TryResolve(session.NamespaceUris, out UaNodeId node))
            {
                known.Add(i);
                request.Add(new UaReadValueId(node));
            }
            else
            {
                results[i] = new UaDataValue(default, new UaStatusCode(UaStatusCodes.BadNodeIdUnknown), null, 0, null, 0);
            }
        }

        if (request.Count > 0)
        {
            UaDataValue[] values = await Guard(session.ReadAsync(request, cancellationToken)).ConfigureAwait(false);
            for (int k = 0; k < known.Count && k < values.Length; k++)
            {
                results[known[k]] = values[k];
            }
        }

        return results;
    }

    /// <summary>Writes one configured node, its namespace URI resolved on the session the request goes out on.</summary>
    public async Task<UaStatusCode> WriteAsync(UaNodeReference node, UaDataValue value, CancellationToken cancellationToken)
    {
        UaSession session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
        if (!node.TryResolve(session.NamespaceUris, out UaNodeId resolved))
        {
            return new UaStatusCode(UaStatusCodes.BadNodeIdUnknown);
        }

        UaStatusCode[] results = await Guard(session.WriteAsync([new UaWriteValue(resolved, value)], cancellationToken)).ConfigureAwait(false);
        return results.Length == 1 ? results[0] : new UaStatusCode(UaStatusCodes.BadUnexpectedError);
    }

    public async Task<UaStatusCode[]> WriteAsync(IReadOnlyList<UaWriteValue> values, CancellationToken cancellationToken)
    {
        UaSession session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
        return await Guard(session.WriteAsync(values, cancellationToken)).ConfigureAwait(false);
    }

    public async Task<UaReferenceDescription[]> BrowseAsync(UaNodeId node, CancellationToken cancellationToken)
    {
        UaSession session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
        return await Guard(session.BrowseAsync(node, cancellationToken)).ConfigureAwait(false);
    }

    public async Task<UaBrowsePathResult[]> TranslateBrowsePathsAsync(IReadOnlyList<UaBrowsePath> paths, CancellationToken cancellationToken)
    {
        UaSession session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
        return await Guard(session.TranslateBrowsePathsAsync(paths, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Calls one method (Call service, OPC 10000-4 §5.11.2); a bad result throws <see cref="UaServiceException"/>.</summary>
    public async Task<UaVariant[]> CallMethodAsync(UaNodeId objectId, UaNodeId methodId, IReadOnlyList<UaVariant> inputArguments, CancellationToken cancellationToken)
    {
        UaSession session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
        return await Guard(session.CallMethodAsync(objectId, methodId, inputArguments, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>ConditionRefresh (OPC 10000-9 §5.5.7): the server re-sends every retained condition to the subscription's event items, between RefreshStart and RefreshEnd events.</summary>
    public Task<UaVariant[]> ConditionRefreshAsync(UaSubscription subscription, CancellationToken cancellationToken) =>
        CallMethodAsync(UaTypeIds.ConditionType, UaTypeIds.ConditionRefreshMethod, [new UaVariant(UaBuiltInType.UInt32, subscription.SubscriptionId)], cancellationToken);

    /// <summary>Acknowledges a condition with the EventId of its latest event (see <see cref="UaSession.AcknowledgeAsync"/>).</summary>
    public async Task AcknowledgeAsync(UaNodeId conditionId, byte[] eventId, string comment, CancellationToken cancellationToken)
    {
        UaSession session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
        await Guard(session.AcknowledgeAsync(conditionId, eventId, comment, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates a subscription with its monitored items; the handler gets their notifications from now on, across
    /// reconnects. Items the server rejects are reported to <see cref="IUaDataChangeHandler.OnItemFailedAsync"/>.
    /// </summary>
    public async Task<UaSubscription> CreateSubscriptionAsync(TimeSpan publishingInterval, TimeSpan keepAliveInterval, IReadOnlyList<UaMonitoredItemRequest> items, IUaDataChangeHandler handler, CancellationToken cancellationToken)
    {
        double interval = Math.Max(1, publishingInterval.TotalMilliseconds);
        uint keepAlive = (uint)Math.Clamp(Math.Ceiling(keepAliveInterval.TotalMilliseconds / interval), 1, 10000);
        var subscription = new UaSubscription(interval, keepAlive, items, handler);
        UaSession session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
        await Guard(CreateOnServerAsync(session, subscription, cancellationToken)).ConfigureAwait(false);
        lock (_lock)
        {
            _subscriptions.Add(subscription);
        }

        Interlocked.Exchange(ref _lastPublishResponseTicks, _time.GetUtcNow().UtcTicks);
        EnsurePublishWorkers();
        return subscription;
    }

    /// <summary>Deletes a subscription on the server (DeleteSubscriptions, OPC 10000-4 §5.13.8) and forgets it.</summary>
    public async Task DeleteSubscriptionAsync(UaSubscription subscription, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _subscriptions.Remove(subscription);
        }

        UaSession session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
        DeleteSubscriptionsResponse response = await Guard(session.CallAsync<DeleteSubscriptionsResponse>(new DeleteSubscriptionsRequest([subscription.SubscriptionId]), cancellationToken)).ConfigureAwait(false);
        if (response.Results.Length == 1 && response.Results[0].IsBad)
        {
            throw new UaServiceException(response.Results[0], $"deleting subscription {subscription.SubscriptionId} failed");
        }
    }

    public async ValueTask DisposeAsync()
    {
        UaSession? session;
        lock (_lock)
        {
            if (_state == UaClientState.Closed)
            {
                return;
            }

            _state = UaClientState.Closed;
            session = _session;
        }

        _watchdog?.Dispose();
        await _disposed.CancelAsync().ConfigureAwait(false);
        lock (_lock)
        {
            _generation?.Scope.Cancel();
        }

        _connected.TrySetException(new UaTransportException(new UaStatusCode(UaStatusCodes.BadShutdown), "the client was closed"));
        try
        {
            await _reconnectLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }

        if (session is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2), _time);
            await session.CloseAsync(timeout.Token).ConfigureAwait(false);
        }
    }

    /// <summary>The current session; while reconnecting, waits up to the request timeout for it to come back.</summary>
    private async Task<UaSession> GetSessionAsync(CancellationToken cancellationToken)
    {
        Task connected;
        lock (_lock)
        {
            switch (_state)
            {
                case UaClientState.Connected:
                    return _session!;
                case UaClientState.Reconnecting:
                    connected = _connected.Task;
                    break;
                case UaClientState.Closed:
                    throw new ObjectDisposedException(nameof(UaClient));
                default:
                    throw new InvalidOperationException("ConnectAsync first");
            }
        }

        try
        {
            await connected.WaitAsync(_options.RequestTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadNotConnected), $"not connected to {_options.Endpoint}; reconnecting");
        }

        lock (_lock)
        {
            return _session!;
        }
    }

    /// <summary>A connection-level failure of a call starts the reconnect; the caller still sees the error.</summary>
    private async Task<T> Guard<T>(Task<T> call)
    {
        try
        {
            T result = await call.ConfigureAwait(false);
            Interlocked.Exchange(ref _lastActivityTicks, _time.GetUtcNow().UtcTicks);
            return result;
        }
        catch (UaTransportException ex)
        {
            OnConnectionLost(ex.Message);
            throw;
        }
        catch (UaServiceException ex) when (IsSessionGone(ex.StatusCode))
        {
            OnConnectionLost(ex.Message);
            throw;
        }
    }

    private async Task<bool> Guard(Task call)
    {
        await Guard(WrapAsync(call)).ConfigureAwait(false);
        return true;

        static async Task<bool> WrapAsync(Task task)
        {
            await task.ConfigureAwait(false);
            return true;
        }
    }

    private static bool IsSessionGone(UaStatusCode status) => status.Code is UaStatusCodes.BadSessionIdInvalid or UaStatusCodes.BadSessionClosed
        or UaStatusCodes.BadSessionNotActivated or UaStatusCodes.BadSecureChannelIdInvalid or UaStatusCodes.BadSecureChannelClosed;

    private async Task CreateOnServerAsync(UaSession session, UaSubscription subscription, CancellationToken cancellationToken)
    {
        // Lifetime: survive at least the session timeout without Publish, and ≥ 3 keep-alives (§5.13.2).
        uint lifetime = (uint)Math.Clamp(Math.Ceiling(session.RevisedSessionTimeout.TotalMilliseconds / subscription.RequestedPublishingInterval), subscription.RequestedKeepAliveCount * 3, uint.MaxValue / 2);
        CreateSubscriptionResponse created = await session.CallAsync<CreateSubscriptionResponse>(
            new CreateSubscriptionRequest(subscription.RequestedPublishingInterval, lifetime, subscription.RequestedKeepAliveCount, 0), cancellationToken).ConfigureAwait(false);
        subscription.SubscriptionId = created.SubscriptionId;
        subscription.PublishingInterval = created.RevisedPublishingInterval;
        subscription.KeepAliveCount = created.RevisedMaxKeepAliveCount;
        subscription.LastSequenceNumber = 0;
        Log.SubscriptionCreated(_logger, created.SubscriptionId, created.RevisedPublishingInterval, created.RevisedMaxKeepAliveCount);

        // Items named by namespace URI get this session's index for it (the server may have renumbered its
        // namespaces since the last session: a restart with another registration order); a URI the server does not
        // have fails its item with BadNodeIdUnknown without asking the server.
        int count = subscription.Items.Count;
        var monitored = new UaNodeId?[count];
        var sendable = new List<int>(count);
        for (int i = 0; i < count; i++)
        {
            UaMonitoredItemRequest item = subscription.Items[i];
            if (new UaNodeReference(item.NodeId, item.NamespaceUri).TryResolve(session.NamespaceUris, out UaNodeId node))
            {
                monitored[i] = node;
                sendable.Add(i);
            }
        }

        var results = new UaMonitoredItemResult[count];
        for (int i = 0; i < count; i++)
        {
            results[i] = new UaMonitoredItemResult(new UaStatusCode(UaStatusCodes.BadNodeIdUnknown), 0, 0, 0);
        }

        int batch = UaOperationLimits.DefaultBatch;
        for (int offset = 0; offset < sendable.Count; offset += batch)
        {
            int[] part = sendable.Skip(offset).Take(batch).ToArray();
            UaMonitoredItemRequest[] requests = part.Select(i => subscription.Items[i] with { NodeId = monitored[i]!.Value }).ToArray();
            CreateMonitoredItemsResponse response = await session.CallAsync<CreateMonitoredItemsResponse>(new CreateMonitoredItemsRequest(created.SubscriptionId, requests), cancellationToken).ConfigureAwait(false);
            for (int k = 0; k < part.Length && k < response.Results.Length; k++)
            {
                results[part[k]] = response.Results[k];
            }
        }

        subscription.MonitoredNodes = monitored;
        subscription.ItemResults = results;
        for (int i = 0; i < count; i++)
        {
            if (results[i].StatusCode.IsBad)
            {
                UaMonitoredItemRequest item = subscription.Items[i];
                Log.MonitoredItemFailed(_logger, new UaNodeReference(item.NodeId, item.NamespaceUri).ToString(), results[i].StatusCode.Name);
                await subscription.Handler.OnItemFailedAsync(item.ClientHandle, results[i].StatusCode, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void StartConnectionScope(UaSession session)
    {
        // A new generation per connection: workers of the old one may still be finishing a delivery and must
        // neither count against nor share a cancellation scope with the new ones.
        var generation = new PublishGeneration();
        lock (_lock)
        {
            _generation?.Scope.Cancel();
            _generation = generation;
        }

        Interlocked.Exchange(ref _lastPublishResponseTicks, _time.GetUtcNow().UtcTicks);
        UaSecureChannel channel = session.Channel;
        channel.Closed.Register(() => OnConnectionLost(channel.Fault?.Message ?? "the secure channel closed"));
        EnsurePublishWorkers();
    }

    private void EnsurePublishWorkers()
    {
        UaSession session;
        PublishGeneration generation;
        lock (_lock)
        {
            if (_state != UaClientState.Connected || _subscriptions.Count == 0 || _generation is null)
            {
                return;
            }

            session = _session!;
            generation = _generation;
        }

        while (true)
        {
            int current = Volatile.Read(ref generation.Workers);
            if (current >= _options.PublishRequestCount)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref generation.Workers, current + 1, current) == current)
            {
                _ = Task.Run(() => PublishLoopAsync(session, generation), CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// One of several Publish requests kept outstanding (§5.13.5): each response carries one notification message
    /// (or a keep-alive); the next request acknowledges what was delivered.
    /// </summary>
    private async Task PublishLoopAsync(UaSession session, PublishGeneration generation)
    {
        CancellationToken scope = generation.Scope.Token;
        try
        {
            while (!scope.IsCancellationRequested)
            {
                UaSubscriptionAcknowledgement[] acks;
                TimeSpan timeout;
                lock (_lock)
                {
                    acks = [.. _acknowledgements];
                    _acknowledgements.Clear();
                    if (_subscriptions.Count == 0)
                    {
                        return;
                    }

                    timeout = (_subscriptions.Max(s => s.KeepAliveTimeout) * _options.PublishRequestCount) + _options.RequestTimeout;
                }

                PublishResponse response;
                try
                {
                    response = await session.CallAsync<PublishResponse>(new PublishRequest(acks), timeout, scope).ConfigureAwait(false);
                }
                catch (UaServiceException ex) when (ex.StatusCode.Code is UaStatusCodes.BadTooManyPublishRequests or UaStatusCodes.BadNoSubscription)
                {
                    Requeue(acks);
                    return;
                }
                catch (UaException ex)
                {
                    Requeue(acks);
                    if (!scope.IsCancellationRequested)
                    {
                        Log.PublishFailed(_logger, ex.StatusCode.Name, ex.Message);
                        OnConnectionLost(ex.Message);
                    }

                    return;
                }

                Interlocked.Exchange(ref _lastPublishResponseTicks, _time.GetUtcNow().UtcTicks);
                try
                {
                    await ProcessPublishResponseAsync(session, response, scope).ConfigureAwait(false);
                }
                catch (UaException ex) when (!scope.IsCancellationRequested)
                {
                    // A Republish failed on the way: the connection is the likely culprit.
                    Log.PublishFailed(_logger, ex.StatusCode.Name, ex.Message);
                    OnConnectionLost(ex.Message);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (scope.IsCancellationRequested)
        {
            // Connection lost or client closed.
        }
        finally
        {
            Interlocked.Decrement(ref generation.Workers);
        }
    }

    private void Requeue(UaSubscriptionAcknowledgement[] acks)
    {
        lock (_lock)
        {
            _acknowledgements.AddRange(acks);
        }
    }

    private async Task ProcessPublishResponseAsync(UaSession session, PublishResponse response, CancellationToken scope)
    {
        await _deliveryLock.WaitAsync(scope).ConfigureAwait(false);
        try
        {
            UaSubscription? subscription = FindSubscription(response.SubscriptionId);

            if (subscription is null)
            {
                return;
            }

            UaNotificationMessage message = response.Message;
            uint expected = subscription.LastSequenceNumber + 1;
            // Sequence numbers start at 1 (§7.22), so a new subscription expects 1: responses may arrive out of order
            // from the first one on.
            if (message.SequenceNumber > expected)
            {
                // A gap: messages the server sent that never reached us (§5.13.1.1) — ask for them again.
                // A keep-alive carries the next number to be used, so the gap ends before it.
                await RepublishAsync(session, subscription, expected, message.SequenceNumber - 1, scope).ConfigureAwait(false);
            }

            if (message.IsKeepAlive)
            {
                subscription.KeepAlivesReceived++;
                return;
            }

            await DeliverAsync(subscription, message, scope).ConfigureAwait(false);
        }
        finally
        {
            _deliveryLock.Release();
            response.Message.Release();
        }
    }

    private UaSubscription? FindSubscription(uint subscriptionId)
    {
        // A loop, not List.Find with a lambda: this runs for every Publish response.
        lock (_lock)
        {
            foreach (UaSubscription subscription in _subscriptions)
            {
                if (subscription.SubscriptionId == subscriptionId)
                {
                    return subscription;
                }
            }

            return null;
        }
    }

    private async Task DeliverAsync(UaSubscription subscription, UaNotificationMessage message, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _acknowledgements.Add(new UaSubscriptionAcknowledgement(subscription.SubscriptionId, message.SequenceNumber));
        }

        if (message.SequenceNumber <= subscription.LastSequenceNumber)
        {
            return; // already delivered (republished before it arrived)
        }

        subscription.LastSequenceNumber = message.SequenceNumber;
        if (message.StatusChange is { } status)
        {
            Log.SubscriptionStatusChanged(_logger, subscription.SubscriptionId, status.Name);
        }

        // By index: the span over the pooled array cannot live across an await, the message (which owns it) can.
        IUaDataChangeHandler handler = subscription.Handler;
        for (int i = 0; i < message.DataChanges.Length; i++)
        {
            UaMonitoredItemNotification change = message.DataChanges[i];
            await handler.OnDataChangeAsync(change.ClientHandle, change.Value, cancellationToken).ConfigureAwait(false);
        }

        if (message.DataChanges.Length > 0)
        {
            await handler.OnDataChangesCompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (UaEventFieldList notification in message.Events)
        {
            await subscription.Handler.OnEventAsync(notification.ClientHandle, notification.Fields, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Republish (§5.13.6) each sequence number in [first, last]; stops at the first one the server no longer has.</summary>
    private async Task RepublishAsync(UaSession session, UaSubscription subscription, uint first, uint last, CancellationToken cancellationToken)
    {
        int count = 0;
        for (uint sequence = first; sequence <= last && sequence != 0; sequence++)
        {
            try
            {
                RepublishResponse response = await session.CallAsync<RepublishResponse>(new RepublishRequest(subscription.SubscriptionId, sequence), cancellationToken).ConfigureAwait(false);
                try
                {
                    await DeliverAsync(subscription, response.Message, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    response.Message.Release();
                }

                count++;
            }
            catch (UaServiceException ex) when (ex.StatusCode.Code is UaStatusCodes.BadMessageNotAvailable or UaStatusCodes.BadSequenceNumberUnknown)
            {
                if (last != uint.MaxValue)
                {
                    // A real gap the server can no longer fill: at least bring every item to its current value.
                    Log.NotificationLost(_logger, subscription.SubscriptionId, sequence, ex.StatusCode.Name);
                    await RereadAsync(session, subscription, cancellationToken).ConfigureAwait(false);
                }

                break;
            }
        }

        subscription.RepublishedCount += count;
        if (count > 0)
        {
            Log.Republished(_logger, subscription.SubscriptionId, count);
        }
    }

    /// <summary>Reads the current value of every monitored item and delivers it as a data change.</summary>
    private static async Task RereadAsync(UaSession session, UaSubscription subscription, CancellationToken cancellationToken)
    {
        int[] known = Enumerable.Range(0, subscription.Items.Count).Where(i => i < subscription.MonitoredNodes.Length && subscription.MonitoredNodes[i] is not null).ToArray();
        UaDataValue[] values = await session.ReadAsync(known.Select(i => new UaReadValueId(subscription.MonitoredNodes[i]!.Value)).ToArray(), cancellationToken).ConfigureAwait(false);
        for (int k = 0; k < values.Length && k < known.Length; k++)
        {
            await subscription.Handler.OnDataChangeAsync(subscription.Items[known[k]].ClientHandle, values[k], cancellationToken).ConfigureAwait(false);
        }

        await subscription.Handler.OnDataChangesCompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private void CheckKeepAlive()
    {
        TimeSpan limit;
        lock (_lock)
        {
            if (_state != UaClientState.Connected)
            {
                return;
            }

            if (_subscriptions.Count == 0)
            {
                KeepSessionAlive();
                return;
            }

            limit = _subscriptions.Min(s => s.KeepAliveTimeout);
        }

        long silence = _time.GetUtcNow().UtcTicks - Interlocked.Read(ref _lastPublishResponseTicks);
        if (silence > limit.Ticks)
        {
            Log.KeepAliveMissed(_logger, silence / TimeSpan.TicksPerMillisecond);
            OnConnectionLost("no Publish response or keep-alive in time");
        }
    }

    /// <summary>
    /// Without subscriptions nothing keeps the session busy: read ServerStatus/State when idle for a third of the
    /// session timeout (OPC 10000-4 §6.7), which also finds a dead link on a poll-only device.
    /// </summary>
    private void KeepSessionAlive()
    {
        long idle = _time.GetUtcNow().UtcTicks - Interlocked.Read(ref _lastActivityTicks);
        if (idle < SessionTimeout.Ticks / 3 || Interlocked.Exchange(ref _keepAliveReadPending, 1) != 0)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await ReadAsync([new UaReadValueId(UaTypeIds.ServerStatusState)], _disposed.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is UaException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                // A connection failure has started the reconnect (Guard); nothing else to do here.
            }
            finally
            {
                Interlocked.Exchange(ref _keepAliveReadPending, 0);
            }
        });
    }

    private void OnConnectionLost(string reason)
    {
        lock (_lock)
        {
            if (_state != UaClientState.Connected)
            {
                return;
            }

            TransitionTo(UaClientState.Reconnecting);
            DisconnectedSince = _time.GetUtcNow();
            _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _generation?.Scope.Cancel();
            Log.Reconnecting(_logger, _options.Endpoint.Url, reason);
            _reconnectLoop = Task.Run(ReconnectLoopAsync, CancellationToken.None);
        }
    }

    private async Task ReconnectLoopAsync()
    {
        TimeSpan delay = _options.MinReconnectDelay;
        CancellationToken disposed = _disposed.Token;
        for (int attempt = 1; !disposed.IsCancellationRequested; attempt++)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(disposed);
                timeout.CancelAfter(_options.RequestTimeout * 2);
                (UaSession session, string outcome) = await RestoreAsync(timeout.Token).ConfigureAwait(false);
                TaskCompletionSource connected;
                lock (_lock)
                {
                    if (_state == UaClientState.Closed)
                    {
                        return;
                    }

                    _session = session;
                    TransitionTo(UaClientState.Connected);
                    DisconnectedSince = null;
                    ReconnectCount++;
                    connected = _connected;
                }

                Log.Reconnected(_logger, _options.Endpoint.Url, outcome);
                StartConnectionScope(session);
                connected.TrySetResult();
                Reconnected?.Invoke();
                return;
            }
            catch (Exception ex) when (!disposed.IsCancellationRequested)
            {
                // Every failure is an ordinary failed attempt — whatever a server (or whoever answers in its place)
                // sends, e.g. a malformed certificate, and even a bug of ours: this loop must never end before
                // DisposeAsync, or the client would stay "reconnecting" forever.
                if (ex is UaCertificateException certificate)
                {
                    // A technician has to act (trust, renew): say it louder than a network hiccup.
                    Log.ReconnectRefusedCertificate(_logger, attempt, _options.Endpoint.Url, certificate.StatusCode.Name, certificate.Message, (long)delay.TotalMilliseconds);
                }
                else if (ex is UaException or OperationCanceledException or TimeoutException)
                {
                    Log.ReconnectFailed(_logger, attempt, _options.Endpoint.Url, ex.Message, (long)delay.TotalMilliseconds);
                }
                else
                {
                    Log.ReconnectFailedUnexpectedly(_logger, ex, attempt, _options.Endpoint.Url, (long)delay.TotalMilliseconds);
                }
            }

            try
            {
                await Task.Delay(delay, _time, disposed).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
        }
    }

    /// <summary>§6.7 steps: new channel → ActivateSession; if the session is gone, a new session → transfer or recreate subscriptions.</summary>
    private async Task<(UaSession Session, string Outcome)> RestoreAsync(CancellationToken cancellationToken)
    {
        UaSession old = _session!;
        await old.Channel.DisposeAsync().ConfigureAwait(false);
        UaSecureChannel channel = await old.OpenChannelAsync(cancellationToken).ConfigureAwait(false);
        UaSubscription[] subscriptions;
        lock (_lock)
        {
            subscriptions = [.. _subscriptions];
        }

        try
        {
            await old.ReactivateAsync(channel, cancellationToken).ConfigureAwait(false);
        }
        catch (UaServiceException ex) when (IsSessionGone(ex.StatusCode) || ex.StatusCode.Code is UaStatusCodes.BadIdentityTokenInvalid or UaStatusCodes.BadIdentityTokenRejected)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            UaSession fresh = await UaSession.CreateAsync(_options, _time, _logger, cancellationToken).ConfigureAwait(false);
            await RestoreSubscriptionsAsync(fresh, subscriptions, cancellationToken).ConfigureAwait(false);
            return (fresh, "recreated (" + ex.StatusCode.Name + ")");
        }

        // The session survived: the subscriptions too. Fetch what was sent but never arrived, in order with any
        // delivery an old Publish worker may still be finishing.
        await _deliveryLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (UaSubscription subscription in subscriptions)
            {
                try
                {
                    await RepublishAsync(old, subscription, subscription.LastSequenceNumber + 1, uint.MaxValue, cancellationToken).ConfigureAwait(false);
                }
                catch (UaServiceException ex) when (ex.StatusCode.Code == UaStatusCodes.BadSubscriptionIdInvalid)
                {
                    // The session outlived this subscription (its lifetime expired first): create it again.
                    await CreateOnServerAsync(old, subscription, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _deliveryLock.Release();
        }

        return (old, "reactivated");
    }

    private async Task RestoreSubscriptionsAsync(UaSession session, UaSubscription[] subscriptions, CancellationToken cancellationToken)
    {
        if (subscriptions.Length == 0)
        {
            return;
        }

        TransferSubscriptionsResponse? transfer = null;
        try
        {
            transfer = await session.CallAsync<TransferSubscriptionsResponse>(new TransferSubscriptionsRequest(subscriptions.Select(s => s.SubscriptionId).ToArray(), true), cancellationToken).ConfigureAwait(false);
        }
        catch (UaServiceException)
        {
            // Not supported or nothing to transfer (server restarted): recreate all.
        }

        for (int i = 0; i < subscriptions.Length; i++)
        {
            if (transfer is not null && i < transfer.Results.Length && transfer.Results[i].IsGood)
            {
                continue;
            }

            await CreateOnServerAsync(session, subscriptions[i], cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The Publish workers of one connection and the scope that ends them when it is lost.</summary>
    private sealed class PublishGeneration
    {
        public readonly CancellationTokenSource Scope = new();
        public int Workers;
    }

    private void TransitionTo(UaClientState next)
    {
        switch (_state, next)
        {
            case (UaClientState.Disconnected, UaClientState.Connected):
            case (UaClientState.Connected, UaClientState.Reconnecting):
            case (UaClientState.Reconnecting, UaClientState.Connected):
            case (_, UaClientState.Closed):
                _state = next;
                break;
            default:
                throw new InvalidOperationException($"OPC UA client cannot go from {_state} to {next}");
        }
    }
}
