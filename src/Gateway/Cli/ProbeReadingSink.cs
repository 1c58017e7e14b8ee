using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>
/// The sink a driver gets under <c>smartcity-edge test</c>: keeps the latest reading of each configured tag instead of
/// feeding the pipeline, and completes <see cref="EveryTagRead"/> once each tag has reported at least once (polled tags
/// on the first poll, subscribed or edge-driven ones when their first value is pushed).
/// </summary>
internal sealed class ProbeReadingSink : IReadingSink
{
    private readonly Dictionary<string, int> _indexes;
    private readonly Reading?[] _latest;
    private readonly TaskCompletionSource _everyTagRead = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private int _unread;

    public ProbeReadingSink(IReadOnlyList<TagConfiguration> tags)
    {
        _indexes = new Dictionary<string, int>(tags.Count, StringComparer.Ordinal);
        for (int i = 0; i < tags.Count; i++)
        {
            _indexes[tags[i].Id] = i;
        }

        _latest = new Reading?[tags.Count];
        _unread = tags.Count;
        if (_unread == 0)
        {
            _everyTagRead.TrySetResult();
        }
    }

    /// <summary>Completes when every configured tag has at least one reading.</summary>
    public Task EveryTagRead => _everyTagRead.Task;

    public ValueTask PublishAsync(Reading reading, CancellationToken cancellationToken)
    {
        // Push-based drivers call from their own threads, concurrently with the poll.
        if (_indexes.TryGetValue(reading.TagId, out int index))
        {
            lock (_gate)
            {
                if (_latest[index] is null && --_unread == 0)
                {
                    _everyTagRead.TrySetResult();
                }

                _latest[index] = reading;
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The latest reading of each tag, in configuration order; null for a tag that never reported.</summary>
    public Reading?[] Snapshot()
    {
        lock (_gate)
        {
            return (Reading?[])_latest.Clone();
        }
    }
}
