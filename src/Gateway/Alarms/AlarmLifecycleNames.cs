namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>The wire names of <see cref="AlarmLifecycle"/> (docs/alarms.md).</summary>
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
