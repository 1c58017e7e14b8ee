namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>The two classes of buffered record. Alarms go upstream first and are never evicted.</summary>
public enum RecordKind : byte
{
    Telemetry = 0,
    Alarm = 1,
}
