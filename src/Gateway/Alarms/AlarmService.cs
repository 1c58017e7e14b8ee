using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Hosting;
using SmartCity.Edge.Gateway.Monitoring;
using SmartCity.Edge.Gateway.Pipeline;
using SmartCity.Edge.Gateway.Upstream.Json;
using SmartCity.Edge.Gateway.Upstream.Webhooks;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>
/// The single reader of the engine's transitions: commits each batch to the durable buffer (MQTT, alarms first)
/// together with the alarms' new states and their webhook deliveries, in one transaction (<see cref="AlarmStateStore"/>),
/// then hands the transitions to the webhooks and the local actions. On shutdown it drains what the engine produced up to then.
/// </summary>
internal sealed class AlarmService : BackgroundService
{
    private const int MaxBatch = 100;

    private readonly AlarmEventChannel _events;
    private readonly AlarmStateStore _store;
    private readonly WebhookDispatcher _webhooks;
    private readonly AlarmActionRunner _actions;
    private readonly AlarmEngine _engine;
    private readonly string _gatewayId;
    private readonly TimeProvider _time;
    private readonly ILogger<AlarmService> _logger;
    private readonly PipelineMonitor? _monitor;
    private readonly List<AlarmEvent> _batch = [];
    private readonly List<BufferEntry> _entries = [];

    public AlarmService(
        AlarmEventChannel events,
        AlarmStateStore store,
        WebhookDispatcher webhooks,
        AlarmActionRunner actions,
        AlarmEngine engine,
        GatewayConfiguration configuration,
        TimeProvider time,
        ILogger<AlarmService> logger,
        PipelineMonitor? monitor = null)
    {
        _events = events;
        _store = store;
        _webhooks = webhooks;
        _actions = actions;
        _engine = engine;
        _gatewayId = configuration.Gateway.Id;
        _time = time;
        _logger = logger;
        _monitor = monitor;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (string alarmId in _engine.AlarmIds)
        {
            AlarmDefinition alarm = _engine.DefinitionOf(alarmId);
            if (alarm.Actions.Count > 0)
            {
                _actions.Restore(alarm, _engine.StateOf(alarmId));
            }
        }

        try
        {
            while (await _events.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                await DrainAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Processing has stopped before us (reverse registration order): commit what it produced.
            using var last = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await DrainAsync(last.Token).ConfigureAwait(false);
        }
    }

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            _batch.Clear();
            while (_batch.Count < MaxBatch && _events.Reader.TryPeek(out AlarmEvent? next) && !OpensNameOf(next))
            {
                _events.Reader.TryRead(out _);
                _batch.Add(next);
            }

            if (_batch.Count == 0)
            {
                return;
            }

            await CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// True when <paramref name="next"/> belongs to an occurrence whose first transition is in this batch: that one's
    /// seq is not known before the batch is committed, and <paramref name="next"/> must carry it as <c>occurrence</c>
    /// (the desk acknowledges by it), so the batch ends before it. Rare: an alarm raised and cleared within one batch.
    /// </summary>
    private bool OpensNameOf(AlarmEvent next)
    {
        if (next.Occurrence is not { Seq: 0 } occurrence)
        {
            return false;
        }

        foreach (AlarmEvent earlier in _batch)
        {
            if (ReferenceEquals(earlier.Occurrence, occurrence))
            {
                return true;
            }
        }

        return false;
    }

    private async Task CommitAsync(CancellationToken cancellationToken)
    {
        _entries.Clear();
        foreach (AlarmEvent alarmEvent in _batch)
        {
            _entries.Add(BufferEntry.ForAlarm(AlarmRecord.From(alarmEvent)));
            if (alarmEvent.Retired)
            {
                AlarmLog.Retired(_logger, alarmEvent.Alarm.Id, alarmEvent.Previous.ToWire());
            }
            else
            {
                AlarmLog.Transition(_logger, alarmEvent.Alarm.Id, alarmEvent.State.ToWire(), alarmEvent.Alarm.Severity.ToString().ToLowerInvariant(), alarmEvent.Message);
            }
        }

        // Rendered inside the buffer's transaction, once the batch's seqs are known; the webhook list is taken once per
        // batch (even across a reload).
        IReadOnlyList<WebhookConfiguration> webhooks = _webhooks.Webhooks;
        var outboxed = 0;
        var backoff = new Backoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), new Random());
        long firstSeq;
        while (true)
        {
            try
            {
                firstSeq = await _store.CommitAsync(_entries, first => RowsFor(first, webhooks, out outboxed), _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                _monitor?.RecordCommit(_entries.Count);
                break;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                TimeSpan delay = backoff.Next();
                AlarmLog.CommitFailed(_logger, ex, _entries.Count, delay.TotalSeconds);
                _monitor?.RecordCommitFailure(ex);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }

        TestKillPoint.Reach(TestKillPoint.TransitionAfterCommit);

        // Each occurrence is named by the seq of its first committed transition (normally its "active"): from now on an
        // operator can acknowledge it, and its later transitions carry the name.
        for (int i = 0; i < _batch.Count; i++)
        {
            _batch[i].Occurrence?.Assign(firstSeq + i);
        }

        // Durable now (records, states and deliveries together): an operator's ack waiting for it may be answered and
        // acknowledged to the broker.
        _events.MarkCommitted(_batch.Count);
        if (outboxed > 0)
        {
            _webhooks.Notify();
        }

        foreach (AlarmEvent alarmEvent in _batch)
        {
            if (!alarmEvent.IsQuietRetirement)
            {
                _actions.Enqueue(alarmEvent);
            }
        }
    }

    /// <summary>
    /// The states and webhook deliveries of the batch whose first transition got <paramref name="firstSeq"/>. Runs on the
    /// buffer's writer thread inside its transaction (possibly more than once): computes only, changes nothing.
    /// </summary>
    private AlarmBatchRows RowsFor(long firstSeq, IReadOnlyList<WebhookConfiguration> webhooks, out int outboxed)
    {
        var states = new List<(AlarmEvent, string)>(_batch.Count);
        var outbox = new List<(Uri, string)>();
        for (int i = 0; i < _batch.Count; i++)
        {
            string body = AlarmJson.ToJson(_entries[i].Alarm!, firstSeq + i, _gatewayId);
            states.Add((_batch[i], body));
            if (_batch[i].IsQuietRetirement)
            {
                continue; // no transition went out on MQTT: none for the webhooks either
            }

            foreach (WebhookConfiguration webhook in webhooks)
            {
                if (_batch[i].Alarm.Severity >= webhook.MinSeverity)
                {
                    outbox.Add((webhook.Url, body));
                }
            }
        }

        outboxed = outbox.Count;
        return new AlarmBatchRows(states, outbox);
    }
}
