using Microsoft.Extensions.Logging;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Commands;

namespace SmartCity.Edge.Gateway.Audit;

/// <summary>
/// The audit trail's entry: every write attempt is committed to the durable buffer as an audit record (which eviction
/// never drops and every upstream publishes, the MQTT one on <c>{prefix}/audit</c>), logged (a refusal as a warning) and
/// kept for the status page (<see cref="AuditTrail"/>).
/// </summary>
/// <remarks>
/// The command service calls this before it records the token as used, answers and acknowledges the command to the
/// broker (PUBACK); so an attempt the desk saw answered is on disk, and one whose gateway died before the commit comes
/// again from the broker's session. Commits are awaited one at a time, in the order the attempts were decided, so
/// their seqs follow that order. The time is kept to the millisecond, as stored and published.
/// </remarks>
internal sealed class AuditService : IAuditSink
{
    private readonly IDurableBuffer _buffer;
    private readonly AuditTrail _trail;
    private readonly ILogger<AuditService> _logger;

    public AuditService(IDurableBuffer buffer, AuditTrail trail, ILogger<AuditService> logger)
    {
        _buffer = buffer;
        _trail = trail;
        _logger = logger;
    }

    public async ValueTask<AuditRecord> RecordAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        long ticks = record.Timestamp.UtcTicks;
        record = record with { Timestamp = new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero), Seq = 0 };
        try
        {
            long seq = await _buffer.AppendAsync([BufferEntry.ForAudit(record)], cancellationToken).ConfigureAwait(false);
            record = record with { Seq = seq };
        }
        catch (BufferStorageException ex)
        {
            // The write happened (or was refused) all the same: the attempt stays in this log and on the status page.
            AuditLog.StoreFailed(_logger, Printable(record.DeviceId), Printable(record.TagId), Printable(record.Who ?? "(not verified)"), record.Outcome.ToWire(), ex.Message);
        }

        Log(record);
        _trail.Add(record);
        return record;
    }

    private void Log(AuditRecord record)
    {
        string device = Printable(record.DeviceId);
        string tag = Printable(record.TagId);
        string who = CommandText.Printable(record.Who ?? "(not verified)");
        string kid = CommandText.Printable(record.KeyId ?? "none");
        if (record.Outcome == AuditOutcome.Ok)
        {
            AuditLog.Written(_logger, device, tag, who, kid, record.Outcome.ToWire(), Text(record.Requested), Text(record.Old), Text(record.Confirmed), record.Seq);
        }
        else
        {
            AuditLog.NotWritten(_logger, device, tag, who, kid, record.Outcome.ToWire(), record.Code ?? "-", record.Reason ?? "-", record.Seq);
        }
    }

    private static string Printable(string? id) => CommandText.Printable(id ?? "?");

    private static string Text(TagValue value) => value.IsNone ? "-" : CommandText.Printable(TagValueText.Describe(value));
}
