using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Monitoring;

/// <summary>An alarm that is active now, as the status page and the metrics show it.</summary>
internal sealed record ActiveAlarm(string AlarmId, AlarmSeverity Severity, string DeviceId, string TagId, string Message, TagValue Value, DateTimeOffset Since);
