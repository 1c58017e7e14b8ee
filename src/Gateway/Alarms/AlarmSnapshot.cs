namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>The last published state of one alarm, as persisted in <c>alarm_state</c> and restored at start.</summary>
/// <remarks><paramref name="Body"/> is the last transition's JSON: alarms kept by a device are rebuilt from it (they are in no configuration).</remarks>
/// <param name="Occurrence">The seq naming the alarm's current (or last) occurrence (<see cref="AlarmOccurrence"/>); null in rows written before it was recorded.</param>
/// <param name="LastSeq">The seq of the last transition (from <paramref name="Body"/>), 0 when unknown.</param>
/// <param name="ActiveSince">When its current (or last) occurrence became active; null in rows written before it was recorded.</param>
internal sealed record AlarmSnapshot(string AlarmId, AlarmLifecycle State, DateTimeOffset Since, string? AcknowledgedBy, string? Body = null, long? Occurrence = null, long LastSeq = 0, DateTimeOffset? ActiveSince = null);
