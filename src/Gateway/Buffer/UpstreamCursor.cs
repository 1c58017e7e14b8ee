namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// How far one upstream has acknowledged the buffer: every telemetry record through <paramref name="Telemetry"/> and
/// every alarm record through <paramref name="Alarms"/> (seqs). Alarms go out first, so the two move separately.
/// </summary>
internal readonly record struct UpstreamCursor(long Telemetry, long Alarms)
{
    public long Of(RecordKind kind) => kind == RecordKind.Alarm ? Alarms : Telemetry;
}
