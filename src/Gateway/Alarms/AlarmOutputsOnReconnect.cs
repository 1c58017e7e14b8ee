using SmartCity.Edge.Gateway.Pipeline;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>
/// Passes device status to the alarm engine and, when a device comes back online, drives its alarm outputs again:
/// a siren or beacon whose device restarted or reconnected starts in its safe state, while the alarm that switched
/// it on may still be raised.
/// </summary>
internal sealed class AlarmOutputsOnReconnect : IDeviceStatusObserver
{
    private readonly AlarmEngine _engine;
    private readonly Lazy<AlarmActionRunner> _actions;

    /// <param name="engine">The alarm engine.</param>
    /// <param name="actions">
    /// Resolved on first use: the action runner writes through the device supervisors, which report to this observer,
    /// so taking it at construction would be a dependency cycle.
    /// </param>
    public AlarmOutputsOnReconnect(AlarmEngine engine, Lazy<AlarmActionRunner> actions)
    {
        _engine = engine;
        _actions = actions;
    }

    public void OnDevicePollFailed(string deviceId, int consecutiveFailures, string reason, DateTimeOffset at) =>
        _engine.OnDevicePollFailed(deviceId, consecutiveFailures, reason, at);

    public void OnDeviceOnline(string deviceId, DateTimeOffset at)
    {
        _engine.OnDeviceOnline(deviceId, at);
        foreach (string alarmId in _engine.AlarmIds.ToArray())
        {
            AlarmDefinition alarm;
            AlarmLifecycle state;
            try
            {
                alarm = _engine.DefinitionOf(alarmId);
                state = _engine.StateOf(alarmId);
            }
            catch (KeyNotFoundException)
            {
                continue; // removed by a reload meanwhile
            }

            if (alarm.Actions.Any(a => a.DeviceId == deviceId))
            {
                _actions.Value.Restore(alarm, state);
            }
        }
    }
}
