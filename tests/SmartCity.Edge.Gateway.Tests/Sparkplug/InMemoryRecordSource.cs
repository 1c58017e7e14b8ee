using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Input;

namespace SmartCity.Edge.Gateway.Tests.Sparkplug;

/// <summary>
/// Committed records in memory, by gateway-wide seq: what the durable buffer hands the Sparkplug edge node (its
/// frames interface lands with the record path rewrite). Keeps what the edge node acknowledged, so tests can wait for
/// the delivery cursor.
/// </summary>
internal sealed class InMemoryRecordSource : ISparkplugRecordSource
{
    private readonly Lock _lock = new();
    private readonly List<SparkplugDeviceFrame> _frames = [];
    private readonly List<SparkplugAlarmRecord> _alarms = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastSeq;
    private long _ackTelemetry;
    private long _ackAlarms;

    public InMemoryRecordSource(long acknowledgedTelemetry = 0, long acknowledgedAlarms = 0)
    {
        _ackTelemetry = acknowledgedTelemetry;
        _ackAlarms = acknowledgedAlarms;
        _lastSeq = Math.Max(acknowledgedTelemetry, acknowledgedAlarms);
    }

    public long LastSeq
    {
        get
        {
            lock (_lock)
            {
                return _lastSeq;
            }
        }
    }

    public long AcknowledgedTelemetryThrough
    {
        get
        {
            lock (_lock)
            {
                return _ackTelemetry;
            }
        }
    }

    /// <summary>Commits a frame of <paramref name="points"/> (tag index, value, quality, timestamp ms), one seq per point.</summary>
    public SparkplugDeviceFrame AddFrame(string deviceId, SparkplugTagTable tags, bool deviceOffline, params (int Tag, TagValue Value, Quality Quality, long Timestamp)[] points)
    {
        TaskCompletionSource changed;
        SparkplugDeviceFrame frame;
        lock (_lock)
        {
            long first = _lastSeq + 1;
            _lastSeq += Math.Max(1, points.Length);
            frame = new SparkplugDeviceFrame(deviceId, tags, points.Select(p => new SparkplugPoint(p.Tag, p.Value, p.Quality, p.Timestamp)).ToArray(), first, _lastSeq, deviceOffline);
            _frames.Add(frame);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.SetResult();
        return frame;
    }

    public SparkplugDeviceFrame AddFrame(string deviceId, SparkplugTagTable tags, params (int Tag, TagValue Value, Quality Quality, long Timestamp)[] points) =>
        AddFrame(deviceId, tags, deviceOffline: false, points);

    public SparkplugAlarmRecord AddAlarm(string alarmId, string state, string severity, string message, string? ackBy, long timestamp)
    {
        TaskCompletionSource changed;
        SparkplugAlarmRecord record;
        lock (_lock)
        {
            record = new SparkplugAlarmRecord(++_lastSeq, alarmId, state, severity, message, ackBy, timestamp);
            _alarms.Add(record);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.SetResult();
        return record;
    }

    public ValueTask ReadFramesAsync(long afterSeq, long throughSeq, int maxFrames, List<SparkplugDeviceFrame> frames, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            frames.AddRange(_frames.Where(f => f.LastSeq > afterSeq && f.LastSeq <= throughSeq).Take(maxFrames));
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask ReadAlarmsAsync(long afterSeq, long throughSeq, int max, List<SparkplugAlarmRecord> alarms, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            alarms.AddRange(_alarms.Where(a => a.Seq > afterSeq && a.Seq <= throughSeq).Take(max));
        }

        return ValueTask.CompletedTask;
    }

    public async Task WaitForRecordsAsync(long afterSeq, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_lastSeq > afterSeq)
                {
                    return;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    public ValueTask AcknowledgeAsync(RecordKind kind, long throughSeq, CancellationToken cancellationToken)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            long previous = kind == RecordKind.Telemetry ? _ackTelemetry : _ackAlarms;
            if (throughSeq < previous)
            {
                throw new InvalidOperationException($"{kind} acknowledgement went back from {previous} to {throughSeq}");
            }

            if (kind == RecordKind.Telemetry)
            {
                _ackTelemetry = throughSeq;
            }
            else
            {
                _ackAlarms = throughSeq;
            }

            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.SetResult();
        return ValueTask.CompletedTask;
    }

    public long AcknowledgedThrough(RecordKind kind)
    {
        lock (_lock)
        {
            return kind == RecordKind.Telemetry ? _ackTelemetry : _ackAlarms;
        }
    }

    /// <summary>Waits until the edge node acknowledged <paramref name="kind"/> through at least <paramref name="seq"/>.</summary>
    public async Task WaitForAcknowledgedAsync(RecordKind kind, long seq, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if ((kind == RecordKind.Telemetry ? _ackTelemetry : _ackAlarms) >= seq)
                {
                    return;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{kind} not acknowledged through {seq} within {timeout.TotalSeconds}s (now {AcknowledgedThrough(kind)})");
            }
        }
    }
}
