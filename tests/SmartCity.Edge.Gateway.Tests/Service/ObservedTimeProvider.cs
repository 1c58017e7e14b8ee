using Microsoft.Extensions.Time.Testing;

namespace SmartCity.Edge.Gateway.Tests.Service;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that knows how many of the timers created through it are armed (due, not yet
/// fired, changed to infinite or disposed), so a test can advance the clock only while the code under test is parked
/// on a timer (its <c>Task.Delay</c>) instead of racing a thread-pool continuation a loaded machine has not run yet.
/// </summary>
internal sealed class ObservedTimeProvider(FakeTimeProvider fake) : TimeProvider
{
    private int _armed;

    public override TimeZoneInfo LocalTimeZone => fake.LocalTimeZone;

    public override long TimestampFrequency => fake.TimestampFrequency;

    /// <summary>Timers armed now.</summary>
    public int Armed => Volatile.Read(ref _armed);

    public override DateTimeOffset GetUtcNow() => fake.GetUtcNow();

    public override long GetTimestamp() => fake.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ObservedTimer(this);
        timer.Inner = fake.CreateTimer(_ => timer.Fire(callback, state), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Waits (real time, bounded) until a timer is armed: the code under test is idle until the clock moves.</summary>
    public async Task WaitUntilParkedAsync(TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (Armed <= 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"nothing waited on a timer within {timeout.TotalSeconds} s");
            await Task.Delay(1);
        }
    }

    private sealed class ObservedTimer(ObservedTimeProvider owner) : ITimer
    {
        private readonly Lock _gate = new();
        private bool _armed;
        private bool _periodic;

        public ITimer Inner { get; set; } = null!;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_gate)
            {
                _periodic = period != Timeout.InfiniteTimeSpan && period != TimeSpan.Zero;
                SetArmed(dueTime != Timeout.InfiniteTimeSpan);
            }

            return Inner.Change(dueTime, period);
        }

        public void Fire(TimerCallback callback, object? state)
        {
            lock (_gate)
            {
                if (!_periodic)
                {
                    SetArmed(false);
                }
            }

            callback(state);
        }

        public void Dispose()
        {
            lock (_gate)
            {
                SetArmed(false);
            }

            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private void SetArmed(bool armed)
        {
            if (armed != _armed)
            {
                _armed = armed;
                Interlocked.Add(ref owner._armed, armed ? 1 : -1);
            }
        }
    }
}
