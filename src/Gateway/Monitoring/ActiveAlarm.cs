using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Monitoring;

/// <summary>
/// An alarm that is raised now (active or acknowledged), as the status page and the metrics show it.
/// <paramref name="TagId"/> is null for a built-in offline alarm; <paramref name="Value"/> is none when no value decided it.
/// <paramref name="AcknowledgedBy"/> is who acknowledged it (the signed command's <c>sub</c>); <paramref name="Occurrence"/>
/// names the raise an ack must give (its seq is 0 until its first transition is committed).
/// <paramref name="Since"/> is the time of its last transition; <paramref name="AcknowledgedAt"/> when it was
/// acknowledged; the first activation is <paramref name="Occurrence"/>'s <see cref="AlarmOccurrence.ActivatedAt"/>.
/// </summary>
internal sealed record ActiveAlarm(string AlarmId, AlarmSeverity Severity, AlarmLifecycle State, string DeviceId, string? TagId, string Message, TagValue Value, DateTimeOffset Since, string? AcknowledgedBy = null, AlarmOccurrence? Occurrence = null, DateTimeOffset? AcknowledgedAt = null);
