using System.Collections.Concurrent;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Monitoring;

/// <summary>
/// The live picture of the pipeline that health checks, the watchdog, <c>/metrics</c> and the status page read:
/// one <see cref="DeviceMonitor"/> per running device (with the latest value of each of its tags), active alarms,
/// and the processing stage's commit progress. Writers are the pipeline stages; readers never block them for long.
/// </summary>
internal sealed class PipelineMonitor : IDeviceGaugeSink
{
    private readonly ConcurrentDictionary<string, DeviceMonitor> _devices = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ActiveAlarm> _alarms = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private long _committed;
    private long _commitFailures;
    private long _droppedWhileHeld;
    private volatile string? _commitError;
    private long _lastCommitTimestamp;
    private long _reloads;
    private long _reloadFailures;

    public PipelineMonitor(TimeProvider time)
    {
        _time = time;
        _lastCommitTimestamp = time.GetTimestamp();
        StartedAt = time.GetUtcNow();
    }

    /// <summary>How long ago the last commit succeeded (since start when none has yet).</summary>
    public TimeSpan SinceLastCommit => _time.GetElapsedTime(Interlocked.Read(ref _lastCommitTimestamp));

    public IEnumerable<DeviceMonitor> Devices => _devices.Values.OrderBy(d => d.DeviceId, StringComparer.Ordinal);

    public IEnumerable<ActiveAlarm> ActiveAlarms => _alarms.Values.OrderByDescending(a => a.Severity).ThenBy(a => a.AlarmId, StringComparer.Ordinal);

    /// <summary>Records committed to the durable buffer since start.</summary>
    public long Committed => Interlocked.Read(ref _committed);

    public long CommitFailures => Interlocked.Read(ref _commitFailures);

    /// <summary>Readings dropped because the buffer could not commit for so long that the held batch reached its limit (a full disk).</summary>
    public long DroppedWhileHeld => Interlocked.Read(ref _droppedWhileHeld);

    /// <summary>The last commit's error while commits are failing; null once one succeeds.</summary>
    public string? CommitError => _commitError;

    /// <summary>Records the processing stage holds in memory waiting for a commit (set by the stage).</summary>
    public int PendingRecords { get; set; }

    public long Reloads => Interlocked.Read(ref _reloads);

    public long ReloadFailures => Interlocked.Read(ref _reloadFailures);

    public DateTimeOffset StartedAt { get; }

    /// <summary>Registers (or replaces, after a reload restarted it) the monitor of a device.</summary>
    public DeviceMonitor AddDevice(string deviceId, string driver, TimeSpan pollInterval)
    {
        var monitor = new DeviceMonitor(deviceId, driver, pollInterval, _time);
        _devices[deviceId] = monitor;
        return monitor;
    }

    /// <summary>A driver's gauge, kept with its device's monitor (a device not running, e.g. in a technician tool, keeps none).</summary>
    public void SetGauge(string deviceId, string name, string help, Func<double> read)
    {
        if (_devices.TryGetValue(deviceId, out DeviceMonitor? device))
        {
            device.SetGauge(name, help, read);
        }
    }

    /// <summary>Forgets a device removed by a reload, with its tags' last values.</summary>
    public void RemoveDevice(string deviceId) => _devices.TryRemove(deviceId, out _);

    /// <summary>One frame of a running device (one lookup per frame); frames of a device no longer running are not shown.</summary>
    public void RecordFrame(TagTable table, ReadOnlySpan<TagReading> readings)
    {
        if (_devices.TryGetValue(table.DeviceId, out DeviceMonitor? device))
        {
            device.RecordFrame(table, readings);
        }
    }

    /// <summary>The gateway's latest reading of one tag (what an operator's <c>expect</c> is compared with); false before the first.</summary>
    public bool TryGetLatest(string deviceId, string tagId, out TagReading reading)
    {
        reading = default;
        return _devices.TryGetValue(deviceId, out DeviceMonitor? device) && device.TryGetLatest(tagId, out reading);
    }

    /// <summary>
    /// An alarm the engine published (see <see cref="MonitoringAlarmEventSink"/>): raised (active or acknowledged)
    /// alarms are listed, any other state removes it.
    /// </summary>
    public void RecordAlarm(AlarmEvent alarmEvent) =>
        RecordAlarm(alarmEvent.Alarm, alarmEvent.State, alarmEvent.Tag, alarmEvent.Message, alarmEvent.Value, alarmEvent.Timestamp, alarmEvent.Acknowledgement?.By, alarmEvent.Occurrence, alarmEvent.Acknowledgement?.At);

    /// <summary>The state of one alarm, as published or as restored from <c>alarm_state</c> at start (acknowledged at <paramref name="since"/> unless told).</summary>
    public void RecordAlarm(AlarmDefinition alarm, AlarmLifecycle state, string? tag, string message, TagValue value, DateTimeOffset since, string? acknowledgedBy = null, AlarmOccurrence? occurrence = null, DateTimeOffset? acknowledgedAt = null)
    {
        if (state is AlarmLifecycle.Active or AlarmLifecycle.Acknowledged)
        {
            bool acknowledged = state == AlarmLifecycle.Acknowledged;
            _alarms[alarm.Id] = new ActiveAlarm(alarm.Id, alarm.Severity, state, alarm.DeviceId, tag, message, value, since, acknowledged ? acknowledgedBy : null, occurrence, acknowledged ? acknowledgedAt ?? since : null);
        }
        else
        {
            _alarms.TryRemove(alarm.Id, out _);
        }
    }

    public void RecordCommit(int records)
    {
        Interlocked.Add(ref _committed, records);
        Interlocked.Exchange(ref _lastCommitTimestamp, _time.GetTimestamp());
        _commitError = null;
    }

    public void RecordDroppedWhileHeld(int readings) => Interlocked.Add(ref _droppedWhileHeld, readings);

    public void RecordCommitFailure(Exception exception)
    {
        Interlocked.Increment(ref _commitFailures);
        _commitError = exception.Message;
    }

    public void RecordReload(bool applied)
    {
        Interlocked.Increment(ref applied ? ref _reloads : ref _reloadFailures);
    }
}
