namespace SmartCity.Edge.Drivers.Tests.Modbus;

/// <summary>Keeps every reading a driver publishes.</summary>
internal sealed class CollectingSink : IReadingSink
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

    public ValueTask PublishAsync(Reading reading, CancellationToken cancellationToken)
    {
        lock (_readings)
        {
            _readings.Add(reading);
        }

        return ValueTask.CompletedTask;
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
}
