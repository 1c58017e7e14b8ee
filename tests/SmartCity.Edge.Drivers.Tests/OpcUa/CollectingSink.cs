using System.Threading.Channels;
using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>An <see cref="IReadingSink"/> that records readings and lets a test await the one it expects.</summary>
internal sealed class CollectingSink(IReadOnlyList<TagDescriptor>? tags) : FrameSink(tags)
{
    public CollectingSink(OpcUaDriver driver)
        : this(driver.Device.Tags)
    {
    }

    private readonly Channel<Reading> _channel = Channel.CreateUnbounded<Reading>();
    private readonly List<Reading> _all = [];

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

    protected override ValueTask OnFrameAsync(IReadOnlyList<Reading> readings, CancellationToken cancellationToken)
    {
        lock (_all)
        {
            _all.AddRange(readings);
        }

        foreach (Reading reading in readings)
        {
            _channel.Writer.TryWrite(reading);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Waits for the next reading that matches; fails after the passing timeout.</summary>
    public async Task<Reading> WaitForAsync(Func<Reading, bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TestTimeouts.Passing);
        try
        {
            while (true)
            {
                Reading reading = await _channel.Reader.ReadAsync(cts.Token);
                if (match(reading))
                {
                    return reading;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("expected reading did not arrive; got: " + string.Join("; ", All.TakeLast(10).Select(r => $"{r.TagId}={r.Value} {r.Quality} {r.Reason}")));
        }
    }

    /// <summary>Collects the next <paramref name="count"/> readings of one tag.</summary>
    public async Task<List<Reading>> CollectAsync(string tagId, int count, TimeSpan? timeout = null)
    {
        var readings = new List<Reading>(count);
        while (readings.Count < count)
        {
            readings.Add(await WaitForAsync(r => r.TagId == tagId, timeout));
        }

        return readings;
    }
}
