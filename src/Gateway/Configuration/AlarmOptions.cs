namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>The <c>alarm_options:</c> section: rate limit and the built-in per-device alarms.</summary>
/// <param name="MaxTransitions">Most transitions one alarm publishes per <paramref name="RateWindow"/>; further ones are suppressed and counted. 0: no limit.</param>
/// <param name="RateWindow">The rate-limit window.</param>
/// <param name="Offline">Built-in offline alarm per device.</param>
/// <param name="BadQuality">Built-in bad-quality alarm per device.</param>
public sealed record AlarmOptions(int MaxTransitions, TimeSpan RateWindow, BuiltInAlarmOptions Offline, BuiltInAlarmOptions BadQuality)
{
    public const string DefaultOfflineMessage = "Device {device} is offline: {reason}";
    public const string DefaultBadQualityMessage = "Device {device} delivers bad data on {tag}: {reason}";

    public static AlarmOptions Default { get; } = new(
        10,
        TimeSpan.FromMinutes(1),
        new BuiltInAlarmOptions(true, AlarmSeverity.High, DefaultOfflineMessage, OfflineAfter: 3, Delay: TimeSpan.Zero, Latch: false, Except: []),
        new BuiltInAlarmOptions(true, AlarmSeverity.Warning, DefaultBadQualityMessage, OfflineAfter: 0, Delay: TimeSpan.FromSeconds(10), Latch: false, Except: []));
}
