namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>The last published state of one alarm, as persisted in <c>alarms.db</c> and restored at start.</summary>
internal sealed record AlarmSnapshot(string AlarmId, AlarmLifecycle State, DateTimeOffset Since, string? AcknowledgedBy);
