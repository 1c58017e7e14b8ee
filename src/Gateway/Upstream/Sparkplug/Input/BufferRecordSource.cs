using Microsoft.Extensions.Logging;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Buffer.Storage;

namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Input;

/// <summary>
/// The durable buffer as the edge node's record source: its frames and alarm records, and its cursor for the upstream
/// <see cref="UpstreamName"/>. The buffer deletes a record once every configured upstream's cursor is past it, so
/// with <c>upstream.mqtt</c> beside Sparkplug a record stays until both have it.
/// </summary>
internal sealed class BufferRecordSource : ISparkplugRecordSource
{
    /// <summary>The stable name of the Sparkplug upstream: it keys the cursor in the buffer across restarts.</summary>
    public const string UpstreamName = "sparkplug";

    /// <summary>
    /// Readings per read of the buffer (whole frames); the edge node takes what it asked for of them. Large: each round
    /// of the edge node ends with one delivery check (a broker round trip) and one cursor commit (a disk sync), so a
    /// round must carry many frames — with 10,000 (ten 1,000-tag polls) it fell behind 100,000 readings/s.
    /// </summary>
    private const int ReadingsPerRead = 200_000;

    private readonly IDurableBuffer _buffer;
    private readonly ILogger _logger;
    private readonly SparkplugFrameConverter _converter = new();

    public BufferRecordSource(IDurableBuffer buffer, ILogger logger)
    {
        _buffer = buffer;
        _logger = logger;
    }

    public long LastSeq
    {
        get
        {
            BufferStatistics statistics = _buffer.GetStatistics();
            return Math.Max(statistics.LastTelemetrySeq, statistics.LastAlarmSeq);
        }
    }

    public async ValueTask ReadFramesAsync(long afterSeq, long throughSeq, int maxFrames, List<SparkplugDeviceFrame> frames, CancellationToken cancellationToken)
    {
        IReadOnlyList<BufferedFrame> stored = await _buffer.ReadFramesAsync(afterSeq, ReadingsPerRead, cancellationToken).ConfigureAwait(false);
        int taken = 0;
        foreach (BufferedFrame frame in stored)
        {
            if (frame.LastSeq > throughSeq || taken == maxFrames)
            {
                break;
            }

            taken++;
            try
            {
                frames.Add(_converter.Convert(frame));
            }
            catch (StoredFormatException ex)
            {
                // A damaged file: the frame cannot be sent. An empty frame keeps its place, so the cursors move past it.
                UpstreamLog.DamagedFrameSkipped(_logger, UpstreamName, frame.FirstSeq, frame.LastSeq, ex.Message);
                frames.Add(new SparkplugDeviceFrame(frame.Table.DeviceId, new SparkplugTagTable([]), ReadOnlyMemory<SparkplugPoint>.Empty, frame.FirstSeq, frame.LastSeq));
            }
        }
    }

    public async ValueTask ReadAlarmsAsync(long afterSeq, long throughSeq, int max, List<SparkplugAlarmRecord> alarms, CancellationToken cancellationToken)
    {
        IReadOnlyList<BufferedAlarm> stored = await _buffer.ReadAlarmsAsync(afterSeq, max, cancellationToken).ConfigureAwait(false);
        foreach (BufferedAlarm alarm in stored)
        {
            if (alarm.Seq > throughSeq)
            {
                break;
            }

            alarms.Add(SparkplugAlarmRecord.From(alarm));
        }
    }

    public async Task WaitForRecordsAsync(long afterSeq, CancellationToken cancellationToken)
    {
        // Sparkplug has no place for operator-write audit records (they go out on {prefix}/audit by the MQTT upstream):
        // they are acknowledged for this upstream as they come, so they are deleted once the others have them and never
        // wake this loop (an audit cursor left at 0 would make every wait return at once).
        long audit = _buffer.GetStatistics().LastSeqOf(RecordKind.Audit);
        if (audit > AcknowledgedThrough(RecordKind.Audit))
        {
            await _buffer.AcknowledgeAsync(UpstreamName, RecordKind.Audit, audit, cancellationToken).ConfigureAwait(false);
        }

        await _buffer.WaitForRecordsAsync(new UpstreamCursor(afterSeq, afterSeq, audit), cancellationToken).ConfigureAwait(false);
    }

    public ValueTask AcknowledgeAsync(RecordKind kind, long throughSeq, CancellationToken cancellationToken) =>
        _buffer.AcknowledgeAsync(UpstreamName, kind, throughSeq, cancellationToken);

    public long AcknowledgedThrough(RecordKind kind) => _buffer.GetCursor(UpstreamName).Of(kind);
}
