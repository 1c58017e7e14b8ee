namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// Store-and-forward buffer on local disk. A record is durable once <see cref="AppendAsync"/> returns: a
/// <c>kill -9</c> or a power cut after that loses nothing. Each configured upstream has a cursor (how far it has
/// acknowledged, persisted with the records); a record is deleted once every upstream's cursor is past it, or when the
/// oldest telemetry is evicted at the disk cap (counted in <see cref="BufferStatistics.DroppedTelemetry"/>). Alarms
/// and audit records are never evicted (<see cref="RecordKinds"/>). The buffer knows no upstream format: frames, alarm
/// and audit records are rendered by each upstream.
/// </summary>
internal interface IDurableBuffer : IAsyncDisposable
{
    /// <summary>
    /// Commits the entries in one transaction and gives them consecutive seqs in list order (a frame one per reading),
    /// strictly above any seq given before (also across restarts). Returns the seq of the first.
    /// </summary>
    ValueTask<long> AppendAsync(IReadOnlyList<BufferEntry> entries, CancellationToken cancellationToken);

    /// <summary>
    /// The oldest waiting frames whose first seq is above <paramref name="afterSeq"/>, in seq order, whole frames, until
    /// they hold <paramref name="maxReadings"/> readings (at least one frame when any waits).
    /// </summary>
    ValueTask<IReadOnlyList<BufferedFrame>> ReadFramesAsync(long afterSeq, int maxReadings, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="maxCount"/> of the oldest waiting alarm records with seq above <paramref name="afterSeq"/>, in seq order.</summary>
    ValueTask<IReadOnlyList<BufferedAlarm>> ReadAlarmsAsync(long afterSeq, int maxCount, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="maxCount"/> of the oldest waiting audit records with seq above <paramref name="afterSeq"/>,
    /// in seq order, each with its <see cref="Audit.AuditRecord.Seq"/>.
    /// </summary>
    ValueTask<IReadOnlyList<Audit.AuditRecord>> ReadAuditAsync(long afterSeq, int maxCount, CancellationToken cancellationToken);

    /// <summary>
    /// The ranges of telemetry evicted at <c>max_disk</c> that end above <paramref name="afterSeq"/>, oldest first: what an
    /// upstream whose telemetry cursor stands at <paramref name="afterSeq"/> still has to announce before the data that
    /// follows. A range is kept until every upstream's telemetry cursor is past it.
    /// </summary>
    ValueTask<IReadOnlyList<EvictedRange>> ReadEvictionsAsync(long afterSeq, CancellationToken cancellationToken);

    /// <summary>Where <paramref name="upstream"/> (one of <see cref="BufferOptions.Upstreams"/>) stands, as persisted.</summary>
    UpstreamCursor GetCursor(string upstream);

    /// <summary>
    /// <paramref name="upstream"/> has every record of <paramref name="kind"/> through <paramref name="throughSeq"/>
    /// (a cursor never moves back). Persists the cursor; records every upstream now has are deleted in the same
    /// transaction.
    /// </summary>
    ValueTask AcknowledgeAsync(string upstream, RecordKind kind, long throughSeq, CancellationToken cancellationToken);

    /// <summary>
    /// Completes when a record of some kind was appended above <paramref name="after"/>'s position of that kind (at once
    /// if there is one already); lets a forwarder sleep without polling.
    /// </summary>
    ValueTask WaitForRecordsAsync(UpstreamCursor after, CancellationToken cancellationToken);

    BufferStatistics GetStatistics();
}
