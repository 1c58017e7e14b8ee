namespace SmartCity.Edge.Gateway.Configuration;

/// <summary><c>alarm_options.offline</c> or <c>alarm_options.bad_quality</c>.</summary>
/// <param name="Enabled">False switches the built-in alarm off for every device.</param>
/// <param name="Severity">Severity of the built-in alarm.</param>
/// <param name="Message">Message template.</param>
/// <param name="OfflineAfter">Offline only: consecutive failed polls or connects before the alarm trips.</param>
/// <param name="Delay">On-delay (bad quality: how long a tag must stay bad).</param>
/// <param name="Latch">Stays shown after the device recovers until acknowledged.</param>
/// <param name="Except">Device ids that get no such alarm.</param>
public sealed record BuiltInAlarmOptions(bool Enabled, AlarmSeverity Severity, string Message, int OfflineAfter, TimeSpan Delay, bool Latch, IReadOnlyList<string> Except)
{
    public bool AppliesTo(string deviceId) => Enabled && !Except.Contains(deviceId, StringComparer.Ordinal);
}
