using SmartCity.Edge.Gateway.Buffer;

namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Input;

/// <summary>
/// Where the edge node reads what it publishes: the durable buffer's committed records, oldest first, by the
/// gateway-wide seq that telemetry frames and alarm transitions share. The edge node keeps its own cursors and says
/// through <see cref="AcknowledgeAsync"/> how far the broker has provably received everything; a record may be deleted
/// only when every upstream acknowledged it.
/// </summary>
internal interface ISparkplugRecordSource
{
    /// <summary>The highest seq committed so far (0 when nothing ever was).</summary>
    long LastSeq { get; }

    /// <summary>Telemetry frames whose <see cref="SparkplugDeviceFrame.LastSeq"/> is above <paramref name="afterSeq"/> and at most <paramref name="throughSeq"/>, oldest first, at most <paramref name="maxFrames"/>.</summary>
    ValueTask ReadFramesAsync(long afterSeq, long throughSeq, int maxFrames, List<SparkplugDeviceFrame> frames, CancellationToken cancellationToken);

    /// <summary>Alarm transitions with seq above <paramref name="afterSeq"/> and at most <paramref name="throughSeq"/>, oldest first, at most <paramref name="max"/>.</summary>
    ValueTask ReadAlarmsAsync(long afterSeq, long throughSeq, int max, List<SparkplugAlarmRecord> alarms, CancellationToken cancellationToken);

    /// <summary>Completes when a record with a seq above <paramref name="afterSeq"/> is committed.</summary>
    Task WaitForRecordsAsync(long afterSeq, CancellationToken cancellationToken);

    /// <summary>
    /// Records of <paramref name="kind"/> through <paramref name="throughSeq"/> are at the broker (the delivery cursor):
    /// persisted before it returns, so a restart does not send them again as history.
    /// </summary>
    ValueTask AcknowledgeAsync(RecordKind kind, long throughSeq, CancellationToken cancellationToken);

    /// <summary>Where the delivery cursor of <paramref name="kind"/> stood at start: records at or below it need not be sent again.</summary>
    long AcknowledgedThrough(RecordKind kind);
}
