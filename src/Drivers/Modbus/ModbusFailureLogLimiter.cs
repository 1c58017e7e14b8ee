namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// Lets one failure line per device and kind through per interval and counts the rest. Lives in the factory's registry,
/// not the driver: the supervisor recreates a failing driver, and each new instance must not log afresh.
/// </summary>
internal sealed class ModbusFailureLogLimiter
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly Dictionary<string, (long LastLogged, int Suppressed)> _entries = new(StringComparer.Ordinal);

    public ModbusFailureLogLimiter(TimeProvider time, TimeSpan interval)
    {
        _time = time;
        _interval = interval;
    }

    /// <summary>True when this failure should be logged; <paramref name="suppressed"/> says how many were not since the last.</summary>
    public bool ShouldLog(string key, out int suppressed)
    {
        lock (_entries)
        {
            long now = _time.GetTimestamp();
            if (_entries.TryGetValue(key, out (long LastLogged, int Suppressed) entry) && _time.GetElapsedTime(entry.LastLogged, now) < _interval)
            {
                _entries[key] = (entry.LastLogged, entry.Suppressed + 1);
                suppressed = 0;
                return false;
            }

            suppressed = entry.Suppressed;
            _entries[key] = (now, 0);
            return true;
        }
    }

    /// <summary>Forgets a key once the device works again, so its next failure is logged at once.</summary>
    public void Reset(string key)
    {
        lock (_entries)
        {
            _entries.Remove(key);
        }
    }
}
