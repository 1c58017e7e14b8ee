namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// Telemetry seqs <paramref name="FromSeq"/> through <paramref name="ToSeq"/> were evicted at <c>max_disk</c> before every
/// upstream had them: <paramref name="Readings"/> readings gone for good. Alarm and audit seqs inside the range were not
/// evicted (they never are). Kept in the buffer until every upstream has sent a notice of it (docs/upstream.md, "Notices").
/// </summary>
internal readonly record struct EvictedRange(long FromSeq, long ToSeq, long Readings, DateTimeOffset EvictedAt);
