using System.Threading.Channels;

namespace SmartCity.Edge.Drivers.Tests.Gpio;

/// <summary>
/// The pipeline as a driver sees it: records readings in order. <see cref="Hold"/> makes publishing wait, to show
/// that a stalled pipeline does not make the driver miss input changes.
/// </summary>
internal sealed class RecordingSink : FrameSink
{
    /// <summary>Only bites when a reading never comes; never a synchronisation delay.</summary>
    public static readonly TimeSpan PassingTimeout = TimeSpan.FromSeconds(10);

    private readonly Channel<Reading> _readings = Channel.CreateUnbounded<Reading>();
    private readonly TaskCompletionSource _frameWaiting = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _gate = CompletedGate();

    /// <summary>Completes when a frame waits at the gate <see cref="Hold"/> closed.</summary>
    public Task FrameWaiting => _frameWaiting.Task;

    protected override async ValueTask OnFrameAsync(IReadOnlyList<Reading> readings, CancellationToken cancellationToken)
    {
        Task gate = Volatile.Read(ref _gate).Task;
        if (!gate.IsCompleted)
        {
            _frameWaiting.TrySetResult();
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        foreach (Reading reading in readings)
        {
            _readings.Writer.TryWrite(reading);
        }
    }

    public void Hold() => Volatile.Write(ref _gate, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public void Release() => Volatile.Read(ref _gate).TrySetResult();

    /// <summary>The next reading, in publication order; fails the test when none arrives.</summary>
    public async Task<Reading> NextAsync() =>
        await _readings.Reader.ReadAsync().AsTask().WaitAsync(PassingTimeout);

    /// <summary>The next reading of <paramref name="tagId"/>, skipping other tags' readings.</summary>
    public async Task<Reading> NextAsync(string tagId)
    {
        while (true)
        {
            Reading reading = await NextAsync();
            if (reading.TagId == tagId)
            {
                return reading;
            }
        }
    }

    /// <summary>Readings already published, without waiting.</summary>
    public List<Reading> Drain()
    {
        var list = new List<Reading>();
        while (_readings.Reader.TryRead(out Reading? reading))
        {
            list.Add(reading);
        }

        return list;
    }

    private static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }
}
