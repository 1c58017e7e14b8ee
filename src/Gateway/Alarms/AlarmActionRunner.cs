using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Pipeline;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>
/// Local actions: sets an alarm's outputs (siren, beacon) through the device's driver when it becomes active and
/// resets them on clear or ack, as configured. Runs apart from the alarm path so a slow or offline output device
/// never delays an alarm message; a failed write is retried a few times, then logged.
/// </summary>
internal sealed class AlarmActionRunner : BackgroundService
{
    private const int Attempts = 5;
    private static readonly TimeSpan s_retry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_writeTimeout = TimeSpan.FromSeconds(5);

    // Bounded by alarms × rate limit in practice; never drop a siren command.
    private readonly Channel<AlarmEvent> _queue = Channel.CreateUnbounded<AlarmEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IDeviceOutputs _outputs;
    private readonly TimeProvider _time;
    private readonly ILogger<AlarmActionRunner> _logger;

    public AlarmActionRunner(IDeviceOutputs outputs, TimeProvider time, ILogger<AlarmActionRunner> logger)
    {
        _outputs = outputs;
        _time = time;
        _logger = logger;
    }

    public void Enqueue(AlarmEvent alarmEvent)
    {
        if (alarmEvent.Alarm.Actions.Count > 0)
        {
            _queue.Writer.TryWrite(alarmEvent);
        }
    }

    /// <summary>At start: an alarm restored raised sets its outputs again (the output device may have restarted too).</summary>
    public void Restore(AlarmDefinition alarm, AlarmLifecycle state)
    {
        if (state is AlarmLifecycle.Active or AlarmLifecycle.Acknowledged)
        {
            Enqueue(new AlarmEvent(alarm, state, state, TagValue.None, alarm.TagId, alarm.MessageTemplate, null, _time.GetUtcNow(), null, 0));
        }
    }

    /// <summary>What an action writes for a transition, or null when the transition does not concern it.</summary>
    public static TagValue? ValueFor(AlarmAction action, AlarmEvent alarmEvent)
    {
        if (alarmEvent.Retired)
        {
            // Nothing can acknowledge a retired alarm any more: an output still set is reset now, unless a person resets it.
            bool stillSet = action.Reset switch
            {
                AlarmActionReset.OnClear => alarmEvent.Previous is AlarmLifecycle.Active or AlarmLifecycle.Acknowledged,
                AlarmActionReset.OnAck => alarmEvent.Previous is AlarmLifecycle.Active or AlarmLifecycle.UnacknowledgedCleared,
                _ => false,
            };
            return stillSet ? action.ResetValue : null;
        }

        if (alarmEvent.Previous == alarmEvent.State)
        {
            // Not a transition: a state restored at start (see Restore). An ack already reset an on_ack output.
            return alarmEvent.State == AlarmLifecycle.Active || action.Reset != AlarmActionReset.OnAck ? action.Value : null;
        }

        if (alarmEvent.State == AlarmLifecycle.Active)
        {
            return action.Value;
        }

        return action.Reset switch
        {
            AlarmActionReset.OnClear when alarmEvent.State is AlarmLifecycle.Cleared or AlarmLifecycle.UnacknowledgedCleared
                && alarmEvent.Previous is AlarmLifecycle.Active or AlarmLifecycle.Acknowledged => action.ResetValue,
            AlarmActionReset.OnAck when alarmEvent.Acknowledgement is not null => action.ResetValue,
            _ => null,
        };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (AlarmEvent alarmEvent in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                foreach (AlarmAction action in alarmEvent.Alarm.Actions)
                {
                    if (ValueFor(action, alarmEvent) is { } value)
                    {
                        await WriteAsync(alarmEvent.Alarm.Id, action, value, stoppingToken).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WriteAsync(string alarmId, AlarmAction action, TagValue value, CancellationToken cancellationToken)
    {
        for (int attempt = 1; attempt <= Attempts; attempt++)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(s_writeTimeout);
                await _outputs.WriteAsync(action.DeviceId, action.TagId, value, timeout.Token).ConfigureAwait(false);
                AlarmLog.ActionDone(_logger, alarmId, action.DeviceId, action.TagId, value.ToString());
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                // Offline device, timeout, or even a driver bug: log and retry; a siren must never stop the gateway.
                AlarmLog.ActionFailed(_logger, alarmId, action.DeviceId, action.TagId, attempt, ex.Message);
                if (ex is KeyNotFoundException or NotSupportedException or TagValueRejectedException)
                {
                    return; // configuration problem: retrying cannot help
                }

                await Task.Delay(s_retry, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
