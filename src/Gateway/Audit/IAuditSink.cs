namespace SmartCity.Edge.Gateway.Audit;

/// <summary>
/// Where every write attempt goes — the one seam between commands and the audit trail. A command is answered and
/// acknowledged to the broker only after <see cref="RecordAsync"/> returned, so no attempt the desk saw answered is
/// missing from the trail.
/// </summary>
internal interface IAuditSink
{
    /// <summary>
    /// Records <paramref name="record"/> and returns it as recorded (with its <see cref="AuditRecord.Seq"/> once the
    /// durable buffer numbers it). Never throws for a storage failure: that is logged, and the attempt still answered.
    /// </summary>
    ValueTask<AuditRecord> RecordAsync(AuditRecord record, CancellationToken cancellationToken);
}
