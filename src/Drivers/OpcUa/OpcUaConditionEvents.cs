using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// The events subscription of an <c>opcua</c> device with <c>events:</c>: turns each condition event (fields in
/// <see cref="UaSimpleAttributeOperand.AlarmFields"/> order) into a <see cref="DeviceAlarm"/>, remembers each
/// condition's latest EventId for Acknowledge (OPC 10000-9 §5.7.3 needs the current one), and brackets a
/// ConditionRefresh: the conditions reported between RefreshStart and RefreshEnd (§5.5.7) are all the server still
/// retains, which the sink uses to end alarms that went away unseen. Plain events without a ConditionId have no
/// lifecycle (nothing clears or acknowledges them) and are ignored.
/// </summary>
internal sealed class OpcUaConditionEvents : IUaDataChangeHandler
{
    private const int EventIdField = 0;
    private const int EventTypeField = 1;
    private const int SourceNameField = 2;
    private const int TimeField = 3;
    private const int MessageField = 4;
    private const int SeverityField = 5;
    private const int ConditionIdField = 6;
    private const int ActiveField = 7;
    private const int AckedField = 8;
    private const int RetainField = 9;

    private readonly string _deviceId;
    private readonly OpcUaEventSettings _settings;
    private readonly IDeviceAlarmSink _sink;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (UaNodeId Condition, byte[] EventId)> _latest = new(StringComparer.Ordinal);
    private readonly HashSet<string> _refreshSeen = new(StringComparer.Ordinal);
    private int _refreshEndsAwaited;
    private long _plainEventsIgnored;

    public OpcUaConditionEvents(string deviceId, OpcUaEventSettings settings, IDeviceAlarmSink sink, TimeProvider time, ILogger logger)
    {
        _deviceId = deviceId;
        _settings = settings;
        _sink = sink;
        _time = time;
        _logger = logger;
    }

    /// <summary>Events without a ConditionId seen so far (diagnostics).</summary>
    public long PlainEventsIgnored => Interlocked.Read(ref _plainEventsIgnored);

    /// <summary>One event item per notifier, each with the alarm EventFilter; client handles are the notifier indexes.</summary>
    public UaMonitoredItemRequest[] CreateItems() =>
        _settings.Notifiers.Select((node, i) => new UaMonitoredItemRequest(node, (uint)i, 0, _settings.QueueSize) { EventFields = UaSimpleAttributeOperand.AlarmFields }).ToArray();

    /// <summary>Called just before ConditionRefresh: a RefreshEnd is awaited from each event item the server accepted.</summary>
    public void BeginRefresh(int eventItems)
    {
        lock (_gate)
        {
            _refreshEndsAwaited = eventItems;
            _refreshSeen.Clear();
        }
    }

    /// <summary>The refresh call failed: no synchronization will follow.</summary>
    public void CancelRefresh()
    {
        lock (_gate)
        {
            _refreshEndsAwaited = 0;
            _refreshSeen.Clear();
        }
    }

    /// <summary>The condition's node and the EventId of its latest event, for Acknowledge.</summary>
    public bool TryGetLatest(string conditionId, out UaNodeId condition, out byte[] eventId)
    {
        lock (_gate)
        {
            if (_latest.TryGetValue(conditionId, out var latest))
            {
                (condition, eventId) = latest;
                return true;
            }
        }

        condition = default;
        eventId = [];
        return false;
    }

    public ValueTask OnDataChangeAsync(uint clientHandle, UaDataValue value, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask OnItemFailedAsync(uint clientHandle, UaStatusCode status, CancellationToken cancellationToken)
    {
        string notifier = clientHandle < _settings.Notifiers.Count ? _settings.Notifiers[(int)clientHandle].ToString() : "?";
        Log.EventNotifierFailed(_logger, _deviceId, notifier, status.Name);
        return ValueTask.CompletedTask;
    }

    public ValueTask OnEventAsync(uint clientHandle, UaVariant[] fields, CancellationToken cancellationToken)
    {
        if (fields.Length != UaSimpleAttributeOperand.AlarmFields.Count)
        {
            return ValueTask.CompletedTask;
        }

        if (fields[EventTypeField].Value is UaNodeId { NamespaceIndex: 0, IdType: UaNodeIdType.Numeric } eventType)
        {
            switch (eventType.Numeric)
            {
                case UaTypeIds.RefreshStartEventType:
                    return ValueTask.CompletedTask;
                case UaTypeIds.RefreshEndEventType:
                    return OnRefreshEndAsync(cancellationToken);
            }
        }

        if (fields[ConditionIdField].Value is not UaNodeId { IsNull: false } condition)
        {
            Interlocked.Increment(ref _plainEventsIgnored);
            return ValueTask.CompletedTask;
        }

        string conditionId = condition.ToString();
        lock (_gate)
        {
            if (fields[EventIdField].Value is byte[] eventId)
            {
                _latest[conditionId] = (condition, eventId);
            }

            if (_refreshEndsAwaited > 0)
            {
                _refreshSeen.Add(conditionId);
            }
        }

        return _sink.PublishAsync(ToAlarm(condition, conditionId, fields), cancellationToken);
    }

    private DeviceAlarm ToAlarm(UaNodeId condition, string conditionId, UaVariant[] fields)
    {
        int severity = fields[SeverityField].Value is ushort s ? s : OpcUaSeverityMap.MinSeverity;
        bool retain = fields[RetainField].Value as bool? ?? true;

        // A condition that is no alarm (no ActiveState) is "active" while retained; one that cannot be acknowledged
        // (no AckedState) counts as acknowledged: nobody can acknowledge it.
        bool active = fields[ActiveField].Value as bool? ?? retain;
        bool acked = fields[AckedField].Value as bool? ?? true;
        DateTimeOffset time = fields[TimeField].Value is DateTime t && t > DateTime.MinValue && t < DateTime.MaxValue
            ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc))
            : _time.GetUtcNow();
        string source = fields[SourceNameField].Value as string ?? string.Empty;
        string message = fields[MessageField].Value is UaLocalizedText { Text: { Length: > 0 } text } ? text : source;
        string name = condition.IdType == UaNodeIdType.String ? condition.StringId! : conditionId;
        return new DeviceAlarm(_deviceId, conditionId, name, source, message, _settings.SeverityMap.Map(severity), severity, time, active, acked, retain);
    }

    private ValueTask OnRefreshEndAsync(CancellationToken cancellationToken)
    {
        string[] seen;
        lock (_gate)
        {
            // A RefreshEnd the server sent on its own (e.g. after an event queue overflow) or one of several items:
            // synchronize only once every item of our refresh has ended, so a partial set never ends an alarm.
            if (_refreshEndsAwaited == 0 || --_refreshEndsAwaited > 0)
            {
                return ValueTask.CompletedTask;
            }

            seen = [.. _refreshSeen];
            _refreshSeen.Clear();
        }

        Log.ConditionsRefreshed(_logger, _deviceId, seen.Length);
        return _sink.SynchronizedAsync(_deviceId, seen, cancellationToken);
    }
}
