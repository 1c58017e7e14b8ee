using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Buffer;

namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Input;

/// <summary>
/// One alarm transition (docs/alarms.md), as the edge node publishes it: the node metrics
/// <c>Alarms/{AlarmId}/State</c>, <c>/Severity</c>, <c>/Message</c>, <c>/Seq</c> and <c>/Ack By</c>.
/// </summary>
/// <param name="Seq">The transition's gateway-wide record seq (also the value of <c>Alarms/{id}/Seq</c>).</param>
/// <param name="AlarmId">The alarm id.</param>
/// <param name="State"><c>active</c>, <c>acknowledged</c>, <c>cleared</c> or <c>unacknowledged_cleared</c>.</param>
/// <param name="Severity"><c>info</c>, <c>warning</c>, <c>high</c> or <c>critical</c>.</param>
/// <param name="Message">The alarm's message.</param>
/// <param name="AckBy">Who acknowledged it, when it is acknowledged.</param>
/// <param name="Timestamp">When the transition happened, milliseconds since the epoch, UTC.</param>
/// <param name="Retired">The alarm left the configuration: its last transition (its metrics leave the next NBIRTH).</param>
internal sealed record SparkplugAlarmRecord(
    long Seq,
    string AlarmId,
    string State,
    string Severity,
    string? Message,
    string? AckBy,
    long Timestamp,
    bool Retired = false)
{
    /// <summary>A committed transition of the durable buffer, with the names of docs/alarms.md.</summary>
    public static SparkplugAlarmRecord From(BufferedAlarm alarm) => new(
        alarm.Seq,
        alarm.Record.AlarmId,
        alarm.Record.State.ToWire(),
        alarm.Record.Severity.ToString().ToLowerInvariant(),
        alarm.Record.Message,
        alarm.Record.Acknowledgement?.By,
        alarm.Record.Timestamp.ToUnixTimeMilliseconds(),
        alarm.Record.Retired);
}
