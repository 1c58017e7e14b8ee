using Microsoft.Extensions.Logging;
using SmartCity.Edge.Gateway.Audit;
using SmartCity.Edge.Gateway.Buffer;

namespace SmartCity.Edge.Gateway.Upstream;

/// <summary>
/// The forwarder loop of one upstream: waits for records past its cursor, sends waiting alarms first, then waiting
/// audit records (operators' write attempts), then a batch of telemetry (whole frames) rendered by its encoder, and moves its cursor in the buffer once every message of the
/// batch was acknowledged. An outage, a broker restart or a crash at any moment can duplicate a message (the receiver
/// drops it by <c>seq</c>) but never lose one.
/// </summary>
internal sealed class UpstreamForwarder
{
    /// <summary>Alarm records per batch.</summary>
    public const int AlarmBatch = 100;

    /// <summary>Audit records per batch.</summary>
    public const int AuditBatch = 100;

    /// <summary>
    /// Readings per telemetry batch (whole frames): each batch ends with one cursor commit, whose pages are written
    /// to disk, so batches are large; between two of them waiting alarms go first.
    /// </summary>
    public const int TelemetryBatch = 10_000;

    /// <summary>
    /// How often an idle forwarder checks its connection. A quiet gateway (report-by-exception, nothing changing)
    /// must still come back after a broker restart: its retained online status and the operators' queued commands
    /// depend on the session, not on data waiting to go out.
    /// </summary>
    private static readonly TimeSpan s_idleConnectionCheck = TimeSpan.FromSeconds(2);

    private readonly IDurableBuffer _buffer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<UpstreamMessage> _messages = [];
    private readonly List<BufferedFrame> _frames = [];
    private readonly List<UpstreamMessage> _notice = [];

    /// <summary>How far this upstream got: acknowledged, or found deleted (evicted, damaged and skipped) by others.</summary>
    private UpstreamCursor _position;

    public UpstreamForwarder(UpstreamTarget upstream, IDurableBuffer buffer, TimeProvider time, ILogger logger)
    {
        Upstream = upstream;
        _buffer = buffer;
        _time = time;
        _logger = logger;
        _position = buffer.GetCursor(upstream.Name);
    }

    public UpstreamTarget Upstream { get; }

    /// <summary>Messages acknowledged since start.</summary>
    public long PublishedMessages => Interlocked.Read(ref _publishedMessages);

    /// <summary>Readings acknowledged since start.</summary>
    public long AcknowledgedReadings => Interlocked.Read(ref _acknowledgedReadings);

    /// <summary>Alarm records acknowledged since start.</summary>
    public long AcknowledgedAlarms => Interlocked.Read(ref _acknowledgedAlarms);

    /// <summary>Audit records acknowledged since start.</summary>
    public long AcknowledgedAudit => Interlocked.Read(ref _acknowledgedAudit);

    private long _publishedMessages;
    private long _acknowledgedReadings;
    private long _acknowledgedAlarms;
    private long _acknowledgedAudit;

    public async Task RunAsync(Func<CancellationToken> settingsChanged, CancellationToken stoppingToken)
    {
        IUpstreamPublisher publisher = Upstream.Publisher;
        var backoff = new Pipeline.Backoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5), new Random());
        bool failing = false;
        bool announceFailure = false;
        string? announcedReason = null;
        CancellationToken settings = settingsChanged();
        while (!stoppingToken.IsCancellationRequested)
        {
            if (settings.IsCancellationRequested)
            {
                // New settings: a failure with them is news, and their first attempt is not delayed.
                settings = settingsChanged();
                announceFailure = true;
                backoff.Reset();
            }

            try
            {
                bool hasRecords = await WaitForRecordsAsync(stoppingToken).ConfigureAwait(false);
                await publisher.EnsureConnectedAsync(stoppingToken).ConfigureAwait(false);
                if (failing)
                {
                    failing = false;
                    backoff.Reset();
                    BufferStatistics stats = _buffer.GetStatistics();
                    UpstreamLog.Recovered(_logger, publisher.Name, stats.AlarmCount + stats.AuditCount + stats.TelemetryCount);
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
                    UpstreamLog.Unavailable(_logger, publisher.Name, ex.Message, delay.TotalSeconds);
                }

                failing = true;
                await DelayAsync(delay, settings, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                TimeSpan delay = backoff.Next();
                UpstreamLog.ForwarderBug(_logger, ex, delay.TotalSeconds);
                failing = true;
                await DelayAsync(delay, settings, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>True when records past this upstream's position are waiting; false after <see cref="s_idleConnectionCheck"/> without any.</summary>
    private async Task<bool> WaitForRecordsAsync(CancellationToken stoppingToken)
    {
        // The busy case first, without timers: while a backlog drains this runs once per batch.
        BufferStatistics statistics = _buffer.GetStatistics();
        foreach (RecordKind kind in RecordKinds.All)
        {
            if (statistics.LastSeqOf(kind) > _position.Of(kind))
            {
                return true;
            }
        }

        using var idle = new CancellationTokenSource(s_idleConnectionCheck, _time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, idle.Token);
        try
        {
            await _buffer.WaitForRecordsAsync(_position, wait.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Sends one batch: waiting alarms (up to a batch) if any, else waiting audit records, else one batch of telemetry.</summary>
    private async Task ForwardOnceAsync(CancellationToken cancellationToken)
    {
        BufferStatistics before = _buffer.GetStatistics();
        IReadOnlyList<BufferedAlarm> alarms = await _buffer.ReadAlarmsAsync(_position.Alarms, AlarmBatch, cancellationToken).ConfigureAwait(false);
        _messages.Clear();
        Upstream.Encoder.EncodeAlarms(alarms, _messages);
        if (await SendRecordsAsync(RecordKind.Alarm, alarms.Count, alarms.Count > 0 ? alarms[^1].Seq : 0, before, cancellationToken).ConfigureAwait(false))
        {
            Interlocked.Add(ref _acknowledgedAlarms, alarms.Count);
            return;
        }

        IReadOnlyList<AuditRecord> audit = await _buffer.ReadAuditAsync(_position.Audit, AuditBatch, cancellationToken).ConfigureAwait(false);
        _messages.Clear();
        Upstream.Encoder.EncodeAudit(audit, _messages);
        if (await SendRecordsAsync(RecordKind.Audit, audit.Count, audit.Count > 0 ? audit[^1].Seq : 0, before, cancellationToken).ConfigureAwait(false))
        {
            Interlocked.Add(ref _acknowledgedAudit, audit.Count);
            return;
        }

        IReadOnlyList<BufferedFrame> frames = await _buffer.ReadFramesAsync(_position.Telemetry, TelemetryBatch, cancellationToken).ConfigureAwait(false);

        // Read after the frames: a gap they skip was evicted by a commit this read sees too, and its range is kept until
        // this upstream's cursor is past it. Announced ahead of the data that follows it.
        IReadOnlyList<EvictedRange> evicted = await _buffer.ReadEvictionsAsync(_position.Telemetry, cancellationToken).ConfigureAwait(false);
        if (frames.Count == 0 && evicted.Count == 0)
        {
            if (before.LastTelemetrySeq > _position.Telemetry)
            {
                _position = _position with { Telemetry = before.LastTelemetrySeq };
            }

            return;
        }

        EncodeTelemetry(frames);
        long last = frames.Count > 0 ? frames[^1].LastSeq : 0;
        if (evicted.Count > 0)
        {
            _notice.Clear();
            Upstream.Encoder.EncodeEvictionNotice(evicted, _notice);
            _messages.InsertRange(0, _notice);
            last = Math.Max(last, evicted[^1].ToSeq);
            UpstreamLog.EvictionNotice(_logger, Upstream.Name, evicted.Count, evicted[0].FromSeq, evicted[^1].ToSeq);
        }

        if (_messages.Count > 0)
        {
            await PublishAllAsync(cancellationToken).ConfigureAwait(false);
        }

        await _buffer.AcknowledgeAsync(Upstream.Name, RecordKind.Telemetry, last, cancellationToken).ConfigureAwait(false);
        long readings = 0;
        foreach (BufferedFrame frame in _frames)
        {
            readings += frame.Count;
        }

        Interlocked.Add(ref _acknowledgedReadings, readings);
        _position = _position with { Telemetry = last };
        UpstreamLog.Deleted(_logger, "telemetry", last);
    }

    /// <summary>
    /// Publishes the messages encoded from <paramref name="count"/> waiting records of <paramref name="kind"/> (one seq
    /// each: alarms, audit records) and moves the cursor through <paramref name="through"/>. With none waiting, moves
    /// this upstream's position past what is left to read up to <paramref name="before"/> (deleted meanwhile, or damaged
    /// and reported) and returns false.
    /// </summary>
    private async Task<bool> SendRecordsAsync(RecordKind kind, int count, long through, BufferStatistics before, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            if (before.LastSeqOf(kind) > _position.Of(kind))
            {
                _position = _position.With(kind, before.LastSeqOf(kind));
            }

            return false;
        }

        if (_messages.Count > 0)
        {
            await PublishAllAsync(cancellationToken).ConfigureAwait(false);
        }

        await _buffer.AcknowledgeAsync(Upstream.Name, kind, through, cancellationToken).ConfigureAwait(false);
        _position = _position.With(kind, through);
        return true;
    }

    /// <summary>Renders the batch; a frame the encoder finds damaged is reported and left out (it is acknowledged with the rest).</summary>
    private void EncodeTelemetry(IReadOnlyList<BufferedFrame> frames)
    {
        _frames.Clear();
        _frames.AddRange(frames);
        while (true)
        {
            _messages.Clear();
            try
            {
                Upstream.Encoder.EncodeTelemetry(_frames, _messages);
                return;
            }
            catch (DamagedFrameException ex)
            {
                UpstreamLog.DamagedFrameSkipped(_logger, Upstream.Name, ex.Frame.FirstSeq, ex.Frame.LastSeq, ex.Message);
                _frames.Remove(ex.Frame);
            }
        }
    }

    private async Task PublishAllAsync(CancellationToken cancellationToken)
    {
        // Sequential on purpose: one connection delivers in order, which keeps each device's readings in seq order.
        foreach (UpstreamMessage message in _messages)
        {
            await Upstream.Publisher.PublishAsync(message, cancellationToken).ConfigureAwait(false);
            UpstreamLog.PublishedMessage(_logger, message.Topic, message.LastSeq);
        }

        Interlocked.Add(ref _publishedMessages, _messages.Count);
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
