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
