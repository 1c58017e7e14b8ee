namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>The last published state of one alarm, as persisted in <c>alarms.db</c> and restored at start.</summary>
/// <remarks><paramref name="Body"/> is the last transition's JSON: alarms kept by a device are rebuilt from it (they are in no configuration).</remarks>
internal sealed record AlarmSnapshot(string AlarmId, AlarmLifecycle State, DateTimeOffset Since, string? AcknowledgedBy, string? Body = null);
