using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>An alarm changed state because of a reading.</summary>
internal sealed record AlarmTransition(AlarmRule Rule, AlarmState State, TagValue Value, DateTimeOffset Timestamp);

internal enum AlarmState
{
    Cleared,
    Active,
}
