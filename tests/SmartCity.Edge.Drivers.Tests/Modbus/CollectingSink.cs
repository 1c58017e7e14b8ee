namespace SmartCity.Edge.Drivers.Tests.Modbus;

/// <summary>Keeps every reading a driver publishes.</summary>
internal sealed class CollectingSink(IReadOnlyList<TagDescriptor> tags) : FrameSink(tags)
{
    private readonly List<Reading> _readings = [];

    public IReadOnlyList<Reading> All
    {
        get
        {
            lock (_readings)
            {
                return [.. _readings];
            }
        }
    }

    /// <summary>The latest reading of each tag.</summary>
    public Dictionary<string, Reading> Latest() => All.GroupBy(r => r.TagId).ToDictionary(g => g.Key, g => g.Last());

    public void Clear()
    {
        lock (_readings)
        {
            _readings.Clear();
        }
    }

    protected override ValueTask OnFrameAsync(IReadOnlyList<Reading> readings, CancellationToken cancellationToken)
    {
        lock (_readings)
        {
            _readings.AddRange(readings);
        }

        return ValueTask.CompletedTask;
    }
}
