namespace SmartCity.Edge.Drivers.Tests;

/// <summary>
/// A reading as a driver test looks at it: one <see cref="TagReading"/> of a published frame, with its tag named from
/// the device's tag list and the number of the frame it came in (1, 2, …).
/// </summary>
internal sealed record Reading(string TagId, int TagIndex, TagValue Value, Quality Quality, string? Reason, DateTimeOffset SourceTimestamp, long Frame);

/// <summary>
/// Base of the driver tests' sinks: takes each published frame apart into <see cref="Reading"/>s, checking on the way
/// that every tag index is inside the device's tag list (what the gateway's sink enforces).
/// </summary>
internal abstract class FrameSink : IReadingSink
{
    private readonly List<string> _runtime = [];
    private long _frames;

    protected FrameSink(IReadOnlyList<TagDescriptor>? tags = null) => Tags = tags;

    /// <summary>The device's tags, which name the readings; set it before the driver publishes.</summary>
    public IReadOnlyList<TagDescriptor>? Tags { get; set; }

    /// <summary>Frames published so far.</summary>
    public long FrameCount => Interlocked.Read(ref _frames);

    public ReadingFrame CreateFrame() => new();

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

    public ValueTask PublishAsync(ReadingFrame frame, CancellationToken cancellationToken)
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

        return OnFrameAsync(readings, cancellationToken);
    }

    private string? RuntimeTag(int index)
    {
        lock (_runtime)
        {
            return (uint)index < (uint)_runtime.Count ? _runtime[index] : null;
        }
    }

    protected abstract ValueTask OnFrameAsync(IReadOnlyList<Reading> readings, CancellationToken cancellationToken);
}
