namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>
/// Where an alarm stands for the security desk (ISA-18.2 style). Transitions happen only in
/// <see cref="AlarmEngine"/>'s one transition method:
/// <code>
/// cleared ──trip──▶ active ──ack──▶ acknowledged ──clear──▶ cleared
///                     │ clear (not latched) ─────────────────▲
///                     │ clear (latched)                      │ ack
///                     ▼                                      │
///             unacknowledged_cleared ────────────────────────┘   (trip again: active)
/// </code>
/// </summary>
internal enum AlarmLifecycle
{
    Cleared,
    Active,
    Acknowledged,
    UnacknowledgedCleared,
}

internal static class AlarmLifecycleNames
{
    public static string ToWire(this AlarmLifecycle state) => state switch
    {
        AlarmLifecycle.Cleared => "cleared",
        AlarmLifecycle.Active => "active",
        AlarmLifecycle.Acknowledged => "acknowledged",
        AlarmLifecycle.UnacknowledgedCleared => "unacknowledged_cleared",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "unknown alarm state"),
    };

    public static AlarmLifecycle? FromWire(string text) => text switch
    {
        "cleared" => AlarmLifecycle.Cleared,
        "active" => AlarmLifecycle.Active,
        "acknowledged" => AlarmLifecycle.Acknowledged,
        "unacknowledged_cleared" => AlarmLifecycle.UnacknowledgedCleared,
        _ => null,
    };
}
