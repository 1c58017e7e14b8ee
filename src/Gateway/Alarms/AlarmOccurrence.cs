namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>
/// One raise of an alarm, from its transition to <c>active</c> until it is cleared, named by the <c>seq</c> of the
/// first transition the desk saw of it (its <c>active</c> transition). An operator's ack names the occurrence it
/// acknowledges (the signed command's <c>occurrence</c> claim), so an ack for an earlier raise — replayed, or held up in
/// a queue — cannot acknowledge a new one.
/// </summary>
/// <remarks>
/// The engine creates it when the alarm becomes active, before the buffer has numbered anything; the alarm service
/// sets <see cref="Seq"/> once that first transition is committed (<see cref="Assign"/>). Until then the occurrence
/// has no name an operator could know, and every ack is refused. Shared between the engine (reads under its lock),
/// the alarm service (writes once) and the status page, hence the volatile field.
/// </remarks>
internal sealed class AlarmOccurrence
{
    private long _seq;

    public AlarmOccurrence(long seq = 0) => _seq = seq;

    /// <summary>
    /// An alarm restored from a state row written before occurrences were recorded (an upgrade): its opening seq is
    /// not known, only that it lies before <paramref name="lastSeq"/>, the seq of the last transition the row holds.
    /// </summary>
    public static AlarmOccurrence Before(long lastSeq) => new() { UnknownBefore = lastSeq };

    /// <summary>The seq of the occurrence's first published transition; 0 while that is not committed yet.</summary>
    public long Seq => Volatile.Read(ref _seq);

    /// <summary>
    /// When the alarm became active for this occurrence (its first activation, kept through acknowledgement and a
    /// latched clear): what the status page shows as "active since". Null for one restored from a row that did not
    /// record it.
    /// </summary>
    public DateTimeOffset? ActivatedAt { get; init; }

    /// <summary>Non-zero for an occurrence restored without its seq (<see cref="Before"/>).</summary>
    public long UnknownBefore { get; private init; }

    /// <summary>Names the occurrence by the seq of its first committed transition; later calls change nothing.</summary>
    public void Assign(long seq) => Interlocked.CompareExchange(ref _seq, seq, 0);

    /// <summary>Whether an ack that names <paramref name="occurrence"/> is for this occurrence.</summary>
    public bool IsNamedBy(long occurrence) =>
        Seq != 0 ? occurrence == Seq : UnknownBefore != 0 && occurrence > 0 && occurrence < UnknownBefore;
}
