namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// Store-and-forward buffer on local disk. A record is durable once <see cref="AppendAsync"/> returns: a
/// <c>kill -9</c> or a power cut after that loses nothing. Records leave only through <see cref="DeleteThroughAsync"/>,
/// which the forwarder calls after the broker acknowledged them, or by eviction of the oldest telemetry when the
/// disk cap is reached (counted in <see cref="BufferStatistics.DroppedTelemetry"/>). Alarms are never evicted.
/// </summary>
public interface IDurableBuffer : IAsyncDisposable
{
    /// <summary>
    /// Commits the entries in one transaction and gives them consecutive seqs in list order, strictly above any
    /// seq given before (also across restarts). Returns the seq of the first entry.
    /// </summary>
    ValueTask<long> AppendAsync(IReadOnlyList<BufferEntry> entries, CancellationToken cancellationToken);

    /// <summary>Reads up to <paramref name="maxCount"/> of the oldest waiting records of one kind with seq above <paramref name="afterSeq"/>, in seq order.</summary>
    ValueTask<IReadOnlyList<BufferedRecord>> ReadOldestAsync(RecordKind kind, long afterSeq, int maxCount, CancellationToken cancellationToken);

    /// <summary>Deletes every waiting record of <paramref name="kind"/> with seq ≤ <paramref name="throughSeq"/> (acknowledged upstream).</summary>
    ValueTask DeleteThroughAsync(RecordKind kind, long throughSeq, CancellationToken cancellationToken);

    /// <summary>Completes when a record is appended after the call (or at once if records are waiting); lets the forwarder sleep without polling.</summary>
    ValueTask WaitForRecordsAsync(CancellationToken cancellationToken);

    BufferStatistics GetStatistics();
}
