using System.Collections.Concurrent;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Pipeline;

namespace SmartCity.Edge.Gateway.Monitoring;

/// <summary>
/// What one device supervisor reports about itself: state, last error, poll latency, errors by kind, and whether a
/// driver call (connect or poll) is outstanding right now and since when — the input of the "device stuck" check;
/// and the latest reading of each of its tags, kept in an array indexed like its tag table.
/// </summary>
internal sealed class DeviceMonitor
{
    private readonly ConcurrentDictionary<string, long> _errorsByKind = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DeviceGauge> _gauges = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly Lock _tagsGate = new();
    private TagTable? _table;
    private TagReading[] _latest = [];
    private bool[] _seen = [];
    private long _readings;
    private long _operationStartedTimestamp;

    public DeviceMonitor(string deviceId, string driver, TimeSpan pollInterval, TimeProvider time)
    {
        DeviceId = deviceId;
        Driver = driver;
        PollInterval = pollInterval;
        _time = time;
    }

    public string DeviceId { get; }

    public string Driver { get; }

    public TimeSpan PollInterval { get; }

    /// <summary>
    /// A driver call outstanding longer than this counts as stuck: drivers bound every I/O with their own timeouts
    /// (seconds), so a minute — or ten poll intervals for slow schedules — means a driver is hung, not slow.
    /// </summary>
    public TimeSpan StuckAfter => PollInterval * 10 > TimeSpan.FromMinutes(1) ? PollInterval * 10 : TimeSpan.FromMinutes(1);

    public DeviceState State { get; set; } = DeviceState.Starting;

    public string? LastError { get; set; }

    public LatencyHistogram PollLatency { get; } = new();

    public long Readings => Interlocked.Read(ref _readings);

    public IReadOnlyDictionary<string, long> ErrorsByKind => _errorsByKind;

    /// <summary>
    /// Takes the readings of one frame: counts them and keeps each tag's latest. One lock per frame; the status page
    /// copies the arrays under the same lock, so value, quality and time of one reading stay together.
    /// </summary>
    public void RecordFrame(TagTable table, ReadOnlySpan<TagReading> readings)
    {
        Interlocked.Add(ref _readings, readings.Length);
        lock (_tagsGate)
        {
            if (!ReferenceEquals(table, _table) && (_table is null || !_table.StartsWith(table)))
            {
                Rebind(table); // (a frame published just before the device named more tags needs none)
            }

            TagReading[] latest = _latest;
            bool[] seen = _seen;
            foreach (ref readonly TagReading reading in readings)
            {
                latest[reading.TagIndex] = reading;
                seen[reading.TagIndex] = true;
            }
        }
    }

    /// <summary>
    /// The latest reading of each tag of <paramref name="table"/> (null where none came yet; tags the device named at run
    /// time follow), or null when this device's readings were of other tags (a reload restarted it with a new tag list and no frame of it arrived yet).
    /// </summary>
    public TagReading?[]? LatestReadings(TagTable table)
    {
        lock (_tagsGate)
        {
            if (_table is null || !_table.StartsWith(table))
            {
                return null;
            }

            var copy = new TagReading?[_latest.Length];
            for (int i = 0; i < copy.Length; i++)
            {
                copy[i] = _seen[i] ? _latest[i] : null;
            }

            return copy;
        }
    }

    /// <summary>The latest reading of one tag; false before the first.</summary>
    public bool TryGetLatest(string tagId, out TagReading reading)
    {
        lock (_tagsGate)
        {
            if (_table is not null && _table.TryGetIndex(tagId, out int index) && index < _seen.Length && _seen[index])
            {
                reading = _latest[index];
                return true;
            }
        }

        reading = default;
        return false;
    }

    /// <summary>Switches to another tag table; readings of tags with the same index and id are kept.</summary>
    private void Rebind(TagTable table)
    {
        if (_table is not null && table.StartsWith(_table))
        {
            // The same tags, or more of them named at run time (SNMP walk rows): the readings so far stay.
            if (table.Count > _latest.Length)
            {
                Array.Resize(ref _latest, table.Count);
                Array.Resize(ref _seen, table.Count);
            }

            _table = table;
            return;
        }

        _table = table;
        _latest = new TagReading[table.Count];
        _seen = new bool[table.Count];
    }

    /// <summary>Gauges the device's driver reported (<see cref="SmartCity.Edge.Drivers.IDeviceGaugeSink"/>), by metric name.</summary>
    public IReadOnlyDictionary<string, DeviceGauge> Gauges => _gauges;

    public void SetGauge(string name, string help, Func<double> read) => _gauges[name] = new DeviceGauge(help, read);

    public void CountError(string kind) => _errorsByKind.AddOrUpdate(kind, 1, static (_, n) => n + 1);

    /// <summary>Marks the start of a driver call (connect or poll); returns the timestamp to pass to <see cref="EndOperation"/>.</summary>
    public long BeginOperation()
    {
        long now = _time.GetTimestamp();
        Interlocked.Exchange(ref _operationStartedTimestamp, now);
        return now;
    }

    /// <summary>Marks the end of a driver call; returns how long it took.</summary>
    public TimeSpan EndOperation(long started)
    {
        Interlocked.Exchange(ref _operationStartedTimestamp, 0);
        return _time.GetElapsedTime(started);
    }

    /// <summary>How long the outstanding driver call has been running, or null when none is.</summary>
    public TimeSpan? OutstandingFor()
    {
        long started = Interlocked.Read(ref _operationStartedTimestamp);
        return started == 0 ? null : _time.GetElapsedTime(started);
    }

    public bool IsStuck => OutstandingFor() is { } running && running > StuckAfter;
}
