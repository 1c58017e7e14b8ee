using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Upstream;

/// <summary>
/// Drains the durable buffer upstream: alarms first, then telemetry oldest-first in batches. Records are deleted
/// only after every publisher acknowledged them, so an outage, a broker restart or a crash at any moment can
/// duplicate a message (the receiver drops it by <c>seq</c>) but never lose one.
/// </summary>
internal sealed class ForwarderService : BackgroundService
{
    private const int AlarmBatch = 100;
    private const int TelemetryBatch = 2_000;

    /// <summary>
    /// How often an idle forwarder checks its connections. A quiet gateway (report-by-exception, nothing changing)
    /// must still come back after a broker restart: its retained online status and the operators' queued commands
    /// depend on the session, not on data waiting to go out.
    /// </summary>
    private static readonly TimeSpan s_idleConnectionCheck = TimeSpan.FromSeconds(2);

    private readonly IDurableBuffer _buffer;
    private readonly IReadOnlyList<IUpstreamPublisher> _publishers;
    private readonly UpstreamTopics _topics;
    private readonly string _gatewayId;
    private readonly TimeProvider _time;
    private readonly ILogger<ForwarderService> _logger;
    private readonly List<UpstreamMessage> _messages = [];
    private volatile UpstreamMessageBuilder _builder;

    /// <summary>Cancelled by <see cref="Reconfigure"/>: a retry waiting out its backoff goes at once with the new settings.</summary>
    private volatile CancellationTokenSource _settingsChanged = new();

    public ForwarderService(
        IDurableBuffer buffer,
        IEnumerable<IUpstreamPublisher> publishers,
        GatewayConfiguration configuration,
        UpstreamTopics topics,
        TimeProvider time,
        ILogger<ForwarderService> logger)
    {
        _buffer = buffer;
        _publishers = publishers.ToArray();
        _topics = topics;
        _gatewayId = configuration.Gateway.Id;
        _builder = new UpstreamMessageBuilder(topics, configuration.Gateway.Id, configuration.Upstream.Mqtt?.MaxBatch ?? 500);
        _time = time;
        _logger = logger;
    }

    /// <summary>Messages acknowledged by every publisher since start (for metrics and tests).</summary>
    public long PublishedMessages { get; private set; }

    /// <summary>Alarm records acknowledged upstream since start (for metrics).</summary>
    public long AcknowledgedAlarms { get; private set; }

    /// <summary>Telemetry readings acknowledged upstream since start (for metrics).</summary>
    public long AcknowledgedReadings { get; private set; }

    /// <summary>True while every publisher is connected.</summary>
    public bool Connected => _publishers.All(p => p.IsConnected);

    public IReadOnlyList<IUpstreamPublisher> Publishers => _publishers;

    /// <summary>
    /// New upstream settings were applied by a reload (the publisher already switched its connection): batches are
    /// built with the new <c>max_batch</c> from the next one on, and a reconnect waiting out its backoff goes now,
    /// with its outcome logged afresh.
    /// </summary>
    public void Reconfigure(UpstreamConfiguration upstream)
    {
        _builder = new UpstreamMessageBuilder(_topics, _gatewayId, upstream.Mqtt?.MaxBatch ?? 500);
        CancellationTokenSource previous = _settingsChanged;
        _settingsChanged = new CancellationTokenSource();
        // Not disposed: the loop may be linking to its token right now; it holds no timer to release.
        previous.Cancel();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        foreach (IUpstreamPublisher publisher in _publishers)
        {
            await publisher.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = new Pipeline.Backoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5), new Random());
        bool failing = false;
        bool announceFailure = false;
        string? announcedReason = null;
        CancellationToken settingsChanged = _settingsChanged.Token;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (settingsChanged.IsCancellationRequested)
            {
                // New settings: a failure with them is news, and their first attempt is not delayed.
                settingsChanged = _settingsChanged.Token;
                announceFailure = true;
                backoff.Reset();
            }

            try
            {
                bool hasRecords = await WaitForRecordsAsync(stoppingToken).ConfigureAwait(false);
                foreach (IUpstreamPublisher publisher in _publishers)
                {
                    await publisher.EnsureConnectedAsync(stoppingToken).ConfigureAwait(false);
                }

                if (failing)
                {
                    failing = false;
                    backoff.Reset();
                    BufferStatistics stats = _buffer.GetStatistics();
                    UpstreamLog.Recovered(_logger, string.Join(", ", _publishers.Select(p => p.Name)), stats.AlarmCount + stats.TelemetryCount);
                }

                if (hasRecords)
                {
                    await ForwardOnceAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (UpstreamException ex)
            {
                TimeSpan delay = backoff.Next();
                // Once per outage, and again when the reason changes: after a timeout while the broker was away, a TLS
                // refusal once it is back is what the technician has to fix.
                if (!failing || announceFailure || ex.Message != announcedReason)
                {
                    announceFailure = false;
                    announcedReason = ex.Message;
                    UpstreamLog.Unavailable(_logger, string.Join(", ", _publishers.Select(p => p.Name)), ex.Message, delay.TotalSeconds);
                }

                failing = true;
                await DelayAsync(delay, settingsChanged, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                TimeSpan delay = backoff.Next();
                UpstreamLog.ForwarderBug(_logger, ex, delay.TotalSeconds);
                failing = true;
                await DelayAsync(delay, settingsChanged, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>True when records are waiting; false after <see cref="s_idleConnectionCheck"/> without any.</summary>
    private async Task<bool> WaitForRecordsAsync(CancellationToken stoppingToken)
    {
        // The busy case first, without timers: while a backlog drains this runs once per batch.
        BufferStatistics waiting = _buffer.GetStatistics();
        if (waiting.TelemetryCount + waiting.AlarmCount > 0)
        {
            return true;
        }

        using var idle = new CancellationTokenSource(s_idleConnectionCheck, _time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, idle.Token);
        try
        {
            await _buffer.WaitForRecordsAsync(wait.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Sends one batch: all waiting alarms (up to a batch) if any, else one batch of telemetry.</summary>
    private async Task ForwardOnceAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<BufferedRecord> alarms = await _buffer.ReadOldestAsync(RecordKind.Alarm, 0, AlarmBatch, cancellationToken).ConfigureAwait(false);
        if (alarms.Count > 0)
        {
            _messages.Clear();
            foreach (BufferedRecord alarm in alarms)
            {
                _builder.BuildAlarmMessages(alarm, _messages);
            }

            await PublishAllAsync(cancellationToken).ConfigureAwait(false);
            AcknowledgedAlarms += alarms.Count;
            await _buffer.DeleteThroughAsync(RecordKind.Alarm, alarms[^1].Seq, cancellationToken).ConfigureAwait(false);
            return;
        }

        IReadOnlyList<BufferedRecord> telemetry = await _buffer.ReadOldestAsync(RecordKind.Telemetry, 0, TelemetryBatch, cancellationToken).ConfigureAwait(false);
        if (telemetry.Count > 0)
        {
            _messages.Clear();
            _builder.BuildTelemetry(telemetry, _messages);
            await PublishAllAsync(cancellationToken).ConfigureAwait(false);
            AcknowledgedReadings += telemetry.Count;
            await _buffer.DeleteThroughAsync(RecordKind.Telemetry, telemetry[^1].Seq, cancellationToken).ConfigureAwait(false);
            UpstreamLog.Deleted(_logger, "telemetry", telemetry[^1].Seq);
        }
    }

    private async Task PublishAllAsync(CancellationToken cancellationToken)
    {
        // Sequential on purpose: one connection delivers in order, which keeps each device's readings in seq order.
        foreach (UpstreamMessage message in _messages)
        {
            foreach (IUpstreamPublisher publisher in _publishers)
            {
                await publisher.PublishAsync(message, cancellationToken).ConfigureAwait(false);
            }

            UpstreamLog.PublishedMessage(_logger, message.Topic, message.LastSeq);
        }

        PublishedMessages += _messages.Count;
        UpstreamLog.Published(_logger, _messages.Count, _messages[^1].LastSeq);
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken settingsChanged, CancellationToken stoppingToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, settingsChanged);
        try
        {
            await Task.Delay(delay, _time, wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
