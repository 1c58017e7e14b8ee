namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// The classes of buffered record (<see cref="RecordKinds"/> says what each one is allowed). Alarms and audit records
/// go upstream before telemetry and are never evicted.
/// </summary>
public enum RecordKind : byte
{
    Telemetry = 0,
    Alarm = 1,

    /// <summary>An operator's write attempt (docs/commands.md, "Audit trail").</summary>
    Audit = 2,
}
