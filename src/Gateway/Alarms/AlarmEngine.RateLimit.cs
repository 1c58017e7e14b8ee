using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Pipeline;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>Handing transitions to the sink, past the per-alarm rate limit (<c>max_transitions</c> per <c>rate_window</c>).</summary>
internal sealed partial class AlarmEngine
{
    private void Publish(Slot slot, DateTimeOffset at, bool bypassRateLimit)
    {
        if (!bypassRateLimit)
        {
            if (slot.State == slot.Published)
            {
                slot.Suppressed++; // undoes a transition that was held back: nothing new to say
                return;
            }

            // Operator acks always go through; the limit is for a flapping process value.
            if (_maxTransitions > 0)
            {
                DateTimeOffset now = _time.GetUtcNow();
                while (slot.Recent.Count > 0 && slot.Recent.Peek() <= now - _rateWindow)
                {
                    slot.Recent.Dequeue();
                }

                if (slot.Recent.Count >= _maxTransitions)
                {
                    slot.Suppressed++;
                    TimeSpan wait = slot.Recent.Peek() + _rateWindow - now;
                    slot.RateTimer ??= _time.CreateTimer(static s => ((Slot)s!).Engine.OnRateWindowOpen((Slot)s!), slot, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    slot.RateTimer.Change(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
                    return;
                }

                slot.Recent.Enqueue(now);
            }
        }

        AlarmLifecycle previous = slot.Published;
        slot.Published = slot.State;
        slot.Recorded = true;
        int suppressed = slot.Suppressed;
        slot.Suppressed = 0;
        (string? tag, string message) = Describe(slot);
        string? reason = slot.Alarm.Kind == AlarmKind.Rule ? null : slot.Reason;
        _sink.Publish(new AlarmEvent(
            slot.Alarm,
            slot.State,
            previous,
            slot.Value,
            tag,
            message,
            reason,
            at,
            slot.PendingAck,
            suppressed,
            slot.Origin)
        {
            Occurrence = slot.Occurrence,
        });
    }

    private void OnRateWindowOpen(Slot slot)
    {
        lock (_gate)
        {
            if (slot.State != slot.Published && !slot.Retired)
            {
                Publish(slot, _time.GetUtcNow(), bypassRateLimit: false);
            }
        }
    }
}
