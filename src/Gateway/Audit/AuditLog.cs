using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Gateway.Audit;

/// <summary>Log lines of the audit trail. Event ids 1550–1569 are stable.</summary>
internal static partial class AuditLog
{
    [LoggerMessage(1550, LogLevel.Information, "Audit: write {Device}/{Tag} by {Who} (key {Kid}): {Outcome}; requested {Requested}, old {Old}, confirmed {Confirmed}; seq {Seq}")]
    public static partial void Written(ILogger logger, string device, string tag, string who, string kid, string outcome, string requested, string old, string confirmed, long seq);

    [LoggerMessage(1551, LogLevel.Warning, "Audit: write {Device}/{Tag} by {Who} (key {Kid}): {Outcome} ({Code}): {Reason}; seq {Seq}")]
    public static partial void NotWritten(ILogger logger, string device, string tag, string who, string kid, string outcome, string code, string reason, long seq);

    [LoggerMessage(1552, LogLevel.Error, "Audit: could not store the audit record of a write {Device}/{Tag} by {Who} ({Outcome}) in the durable buffer: {Reason}; the attempt is in this log and on the status page only, never published on the audit topic")]
    public static partial void StoreFailed(ILogger logger, string device, string tag, string who, string outcome, string reason);
}
