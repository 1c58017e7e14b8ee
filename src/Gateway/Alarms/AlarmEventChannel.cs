using System.Threading.Channels;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>
/// Engine → <see cref="AlarmService"/>. Unbounded on purpose: alarms are never dropped, and the engine's rate limit
/// bounds what one alarm can put in it (max_transitions per rate_window per alarm).
/// </summary>
/// <remarks>
/// It also counts transitions in (<see cref="Published"/>) and transitions the alarm service has made durable
/// (<see cref="Committed"/>: in the buffer, with their state), in the same order, so a caller that moved an
/// alarm can wait until that move survives a crash (<see cref="WaitCommittedAsync"/>) — the command service does
/// before it answers an operator's ack and lets the broker forget the command (PUBACK).
/// </remarks>
internal sealed class AlarmEventChannel : IAlarmEventSink
{
    private readonly Channel<AlarmEvent> _channel = Channel.CreateUnbounded<AlarmEvent>(new UnboundedChannelOptions { SingleReader = true });

    private long _published;
    private long _committed;

    /// <summary>Completed (and replaced) on every commit; waiters then look at <see cref="_committed"/> again.</summary>
    private TaskCompletionSource _commitSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ChannelReader<AlarmEvent> Reader => _channel.Reader;

    /// <summary>Transitions handed to the alarm service so far.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Transitions the alarm service has committed so far (a prefix of the published ones).</summary>
    public long Committed => Interlocked.Read(ref _committed);

    /// <remarks>Called under the engine's lock, so the count and the channel see transitions in the same order.</remarks>
    public void Publish(AlarmEvent alarmEvent)
    {
        Interlocked.Increment(ref _published);
        _channel.Writer.TryWrite(alarmEvent);
    }

    /// <summary>The alarm service committed the next <paramref name="count"/> transitions it read.</summary>
    public void MarkCommitted(int count)
    {
        Interlocked.Add(ref _committed, count);
        Interlocked.Exchange(ref _commitSignal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Completes once the first <paramref name="published"/> transitions are committed (e.g. <see cref="Published"/> read after a move).</summary>
    public async Task WaitCommittedAsync(long published, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Signal first, count second: a commit between the two completes the signal we hold.
            Task signal = Volatile.Read(ref _commitSignal).Task;
            if (Committed >= published)
            {
                return;
            }

            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
