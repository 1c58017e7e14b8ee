using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Alarms;

/// <summary>The commit count the command service waits on before it answers an ack and lets the broker forget it.</summary>
public sealed class AlarmEventChannelTests
{
    [Fact]
    public async Task WaitCommitted_TransitionNotYetCommitted_CompletesOnlyWhenCommitted()
    {
        var channel = new AlarmEventChannel();
        channel.Publish(Event("a1"));
        channel.Publish(Event("a2"));
        Task waiting = channel.WaitCommittedAsync(channel.Published, CancellationToken.None);

        channel.MarkCommitted(1);
        await Task.Yield();
        Assert.False(waiting.IsCompleted, "completed with one of two transitions committed");

        channel.MarkCommitted(1);
        await waiting.WaitAsync(TestTimeouts.Short);
        Assert.Equal(2, channel.Committed);
    }

    [Fact]
    public async Task WaitCommitted_AlreadyCommitted_CompletesAtOnce()
    {
        var channel = new AlarmEventChannel();
        channel.Publish(Event("a1"));
        channel.MarkCommitted(1);

        Task waiting = channel.WaitCommittedAsync(1, CancellationToken.None);

        Assert.True(waiting.IsCompletedSuccessfully);
        await waiting;
    }

    [Fact]
    public async Task WaitCommitted_Cancelled_ThrowsAndCommitsNothing()
    {
        var channel = new AlarmEventChannel();
        channel.Publish(Event("a1"));
        using var cancel = new CancellationTokenSource();
        Task waiting = channel.WaitCommittedAsync(1, cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(0, channel.Committed);
    }

    private static AlarmEvent Event(string id)
    {
        var alarm = new AlarmDefinition(id, AlarmKind.Rule, "dev", "t", null, AlarmSeverity.High, id, TimeSpan.Zero, TimeSpan.Zero, false, []);
        return new AlarmEvent(alarm, AlarmLifecycle.Active, AlarmLifecycle.Cleared, TagValue.FromDouble(1), "t", id, null, DateTimeOffset.UnixEpoch, null, 0);
    }
}
