using System.Threading.Channels;

namespace SmartCity.Edge.Drivers.Tests;

/// <summary>
/// The pipeline as every driver test sees it (the one reading sink of the driver tests): takes each published frame
/// apart into <see cref="Reading"/>s — checking on the way that every tag index is inside the device's tag list, as
/// the gateway's sink enforces — keeps them all (<see cref="All"/>, <see cref="Latest"/>) and hands them out in order
/// to a test that waits (<see cref="NextAsync()"/>, <see cref="WaitForAsync"/>, <see cref="CollectAsync"/>,
/// <see cref="WaitForCountAsync"/>). <see cref="Hold"/> makes publishing wait, to show that a stalled pipeline does
/// not make a driver miss input changes.
/// </summary>
internal sealed class CollectingSink : IReadingSink
{
    private readonly List<string> _runtime = [];
    private readonly List<Reading> _all = [];
    private readonly Channel<Reading> _next = Channel.CreateUnbounded<Reading>();
    private readonly TaskCompletionSource _frameWaiting = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _gate = CompletedGate();
    private long _frames;

    public CollectingSink(IReadOnlyList<TagDescriptor>? tags = null) => Tags = tags;

    /// <summary>The device's tags, which name the readings; set it before the driver publishes (else tags are <c>#index</c>).</summary>
    public IReadOnlyList<TagDescriptor>? Tags { get; set; }

    /// <summary>Frames published so far.</summary>
    public long FrameCount => Interlocked.Read(ref _frames);

    /// <summary>Every reading published so far, in order (also those already handed out by the waits).</summary>
    public IReadOnlyList<Reading> All
    {
        get
        {
            lock (_all)
            {
                return [.. _all];
            }
        }
    }

    /// <summary>Tags named at run time (<see cref="IReadingSink.TagIndexOf"/>), after the device's tags, in the order named.</summary>
    public IReadOnlyList<string> RuntimeTags
    {
        get
        {
            lock (_runtime)
            {
                return [.. _runtime];
            }
        }
    }

    /// <summary>Completes when a frame waits at the gate <see cref="Hold"/> closed.</summary>
    public Task FrameWaiting => _frameWaiting.Task;

    /// <summary>The latest reading of each tag.</summary>
    public Dictionary<string, Reading> Latest() => All.GroupBy(r => r.TagId).ToDictionary(g => g.Key, g => g.Last());

    /// <summary>Forgets every reading so far, kept and waiting.</summary>
    public void Clear()
    {
        lock (_all)
        {
            _all.Clear();
            while (_next.Reader.TryRead(out _))
            {
            }
        }
    }

    public void Hold() => Volatile.Write(ref _gate, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public void Release() => Volatile.Read(ref _gate).TrySetResult();

    /// <summary>The next reading, in publication order; fails after <see cref="TestTimeouts.Passing"/>.</summary>
    public Task<Reading> NextAsync() => WaitForAsync(_ => true);

    /// <summary>The next reading of <paramref name="tagId"/>, skipping other tags' readings.</summary>
    public Task<Reading> NextAsync(string tagId) => WaitForAsync(r => r.TagId == tagId);

    /// <summary>The next reading that matches, skipping the others; fails after the timeout, listing the last readings.</summary>
    public async Task<Reading> WaitForAsync(Func<Reading, bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TestTimeouts.Passing);
        try
        {
            while (true)
            {
                Reading reading = await _next.Reader.ReadAsync(cts.Token);
                if (match(reading))
                {
                    return reading;
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException("expected reading did not arrive; got: " + string.Join("; ", All.TakeLast(10).Select(r => $"{r.TagId}={r.Value} {r.Quality} {r.Reason}")));
        }
    }

    /// <summary>The next <paramref name="count"/> readings of one tag.</summary>
    public async Task<List<Reading>> CollectAsync(string tagId, int count, TimeSpan? timeout = null)
    {
        var readings = new List<Reading>(count);
        while (readings.Count < count)
        {
            readings.Add(await WaitForAsync(r => r.TagId == tagId, timeout));
        }

        return readings;
    }

    /// <summary>Waits until <see cref="All"/> holds at least <paramref name="count"/> readings that match, and returns them.</summary>
    public async Task<List<Reading>> WaitForCountAsync(Func<Reading, bool> match, int count, TimeSpan? timeout = null)
    {
        List<Reading> matching = [.. All.Where(match)];
        if (matching.Count >= count)
        {
            return matching;
        }

        await WaitForAsync(_ => All.Count(match) >= count, timeout);
        return [.. All.Where(match)];
    }

    /// <summary>Readings not handed out yet, without waiting.</summary>
    public List<Reading> Drain()
    {
        var list = new List<Reading>();
        while (_next.Reader.TryRead(out Reading? reading))
        {
            list.Add(reading);
        }

        return list;
    }

    public ReadingFrame CreateFrame() => new();

    public int TagIndexOf(string tagId)
    {
        int configured = Tags?.Count ?? 0;
        for (int i = 0; i < configured; i++)
        {
            if (Tags![i].Id == tagId)
            {
                return i;
            }
        }

        lock (_runtime)
        {
            int index = _runtime.IndexOf(tagId);
            if (index < 0)
            {
                if (_runtime.Count >= IReadingSink.MaxRuntimeTags)
                {
                    return -1;
                }

                _runtime.Add(tagId);
                index = _runtime.Count - 1;
            }

            return configured + index;
        }
    }

    public async ValueTask PublishAsync(ReadingFrame frame, CancellationToken cancellationToken)
    {
        long number = Interlocked.Increment(ref _frames);
        var readings = new List<Reading>(frame.Count);
        foreach (TagReading reading in frame.Readings)
        {
            string tagId = Tags is { } tags
                ? (uint)reading.TagIndex < (uint)tags.Count ? tags[reading.TagIndex].Id : RuntimeTag(reading.TagIndex - tags.Count) ?? throw new InvalidOperationException($"tag index {reading.TagIndex} is outside the device's {tags.Count} tags and the {RuntimeTags.Count} named at run time")
                : "#" + reading.TagIndex;
            readings.Add(new Reading(tagId, reading.TagIndex, reading.Value, reading.Quality, reading.Reason, reading.SourceTimestamp, number));
        }

        Task gate = Volatile.Read(ref _gate).Task;
        if (!gate.IsCompleted)
        {
            _frameWaiting.TrySetResult();
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_all)
        {
            _all.AddRange(readings);
            foreach (Reading reading in readings)
            {
                _next.Writer.TryWrite(reading);
            }
        }
    }

    private string? RuntimeTag(int index)
    {
        lock (_runtime)
        {
            return (uint)index < (uint)_runtime.Count ? _runtime[index] : null;
        }
    }

    private static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }
}
