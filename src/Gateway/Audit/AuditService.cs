using Microsoft.Extensions.Logging;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Commands;

namespace SmartCity.Edge.Gateway.Audit;

/// <summary>
/// The audit trail's entry: every write attempt is logged (a refusal as a warning) and kept for the status page
/// (<see cref="AuditTrail"/>).
/// </summary>
/// <remarks>
/// Not yet durable: the record is not stored in the durable buffer nor published on <c>{prefix}/audit</c>. That comes
/// with the buffer's typed records (issue 12): the record is then committed here, before the command is answered
/// and acknowledged to the broker, as an audit record that eviction never drops, and the JSON encoder publishes it
/// (<see cref="AuditJson"/>).
/// </remarks>
internal sealed class AuditService : IAuditSink
{
    private readonly AuditTrail _trail;
    private readonly ILogger<AuditService> _logger;

    public AuditService(AuditTrail trail, ILogger<AuditService> logger)
    {
        _trail = trail;
        _logger = logger;
    }

    public ValueTask<AuditRecord> RecordAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        Log(record);
        _trail.Add(record);
        return ValueTask.FromResult(record);
    }

    private void Log(AuditRecord record)
    {
        string device = CommandText.Printable(record.DeviceId ?? "?");
        string tag = CommandText.Printable(record.TagId ?? "?");
        string who = CommandText.Printable(record.Who ?? "(not verified)");
        string kid = CommandText.Printable(record.KeyId ?? "none");
        if (record.Outcome == AuditOutcome.Ok)
        {
            AuditLog.Written(_logger, device, tag, who, kid, record.Outcome.ToWire(), Text(record.Requested), Text(record.Old), Text(record.Confirmed));
        }
        else
        {
            AuditLog.NotWritten(_logger, device, tag, who, kid, record.Outcome.ToWire(), record.Code ?? "-", record.Reason ?? "-");
        }
    }

    private static string Text(TagValue value) => value.IsNone ? "-" : CommandText.Printable(TagValueText.Describe(value));
}
