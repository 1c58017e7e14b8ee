using System.Threading.Channels;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>An <see cref="IDeviceAlarmSink"/> that records device alarms and refresh synchronizations for a test to await.</summary>
internal sealed class CollectingAlarmSink : IDeviceAlarmSink
{
    private readonly Channel<DeviceAlarm> _alarms = Channel.CreateUnbounded<DeviceAlarm>();
    private readonly Channel<IReadOnlyCollection<string>> _synchronized = Channel.CreateUnbounded<IReadOnlyCollection<string>>();
    private readonly List<string> _seen = [];
    private readonly List<DeviceAlarm> _all = [];

    /// <summary>Every alarm report so far, in order.</summary>
    public IReadOnlyList<DeviceAlarm> All
    {
        get
        {
            lock (_seen)
            {
                return [.. _all];
            }
        }
    }

    public ValueTask PublishAsync(DeviceAlarm alarm, CancellationToken cancellationToken)
    {
        lock (_seen)
        {
            _seen.Add($"{alarm.ConditionId} active={alarm.Active} acked={alarm.Acknowledged} sev={alarm.DeviceSeverity}");
            _all.Add(alarm);
        }

        _alarms.Writer.TryWrite(alarm);
        return ValueTask.CompletedTask;
    }

    public ValueTask SynchronizedAsync(string deviceId, IReadOnlyCollection<string> conditionIds, CancellationToken cancellationToken)
    {
        _synchronized.Writer.TryWrite(conditionIds);
        return ValueTask.CompletedTask;
    }

    public async Task<DeviceAlarm> WaitForAsync(Func<DeviceAlarm, bool> match)
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Passing);
        try
        {
            while (true)
            {
                DeviceAlarm alarm = await _alarms.Reader.ReadAsync(cts.Token);
                if (match(alarm))
                {
                    return alarm;
                }
            }
        }
        catch (OperationCanceledException)
        {
            lock (_seen)
            {
                throw new TimeoutException("expected device alarm did not arrive; got: " + string.Join(" | ", _seen));
            }
        }
    }

    public async Task<IReadOnlyCollection<string>> WaitForSynchronizationAsync()
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Passing);
        return await _synchronized.Reader.ReadAsync(cts.Token);
    }
}
