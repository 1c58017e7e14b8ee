namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// How far one upstream has acknowledged the buffer: every telemetry record through <paramref name="Telemetry"/>, every
/// alarm record through <paramref name="Alarms"/> and every audit record through <paramref name="Audit"/> (seqs). Alarms
/// and audit records go out first, so the kinds move separately.
/// </summary>
internal readonly record struct UpstreamCursor(long Telemetry, long Alarms, long Audit = 0)
{
    public long Of(RecordKind kind) => kind switch
    {
        RecordKind.Alarm => Alarms,
        RecordKind.Audit => Audit,
        _ => Telemetry,
    };

    /// <summary>This cursor with <paramref name="kind"/>'s position at <paramref name="seq"/>.</summary>
    public UpstreamCursor With(RecordKind kind, long seq) => kind switch
    {
        RecordKind.Alarm => this with { Alarms = seq },
        RecordKind.Audit => this with { Audit = seq },
        _ => this with { Telemetry = seq },
    };
}
