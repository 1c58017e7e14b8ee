using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>
/// The sink a driver gets under <c>smartcity-edge test</c>: keeps the latest reading of each configured tag instead of
/// feeding the pipeline, and completes <see cref="EveryTagRead"/> once each tag has reported at least once (polled tags
/// on the first poll, subscribed or edge-driven ones when their first value is pushed). Tags a device names at run time
/// (SNMP walk rows) are not configured tags: the probe leaves them out.
/// </summary>
internal sealed class ProbeReadingSink : IReadingSink
{
    private readonly TagTable _table;
    private readonly TagReading?[] _latest;
    private readonly TaskCompletionSource _everyTagRead = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private int _unread;

    public ProbeReadingSink(TagTable table)
    {
        _table = table;
        _latest = new TagReading?[table.Count];
        _unread = table.Count;
        if (_unread == 0)
        {
            _everyTagRead.TrySetResult();
        }
    }

    /// <summary>Completes when every configured tag has at least one reading.</summary>
    public Task EveryTagRead => _everyTagRead.Task;

    public ReadingFrame CreateFrame() => new();

    public int TagIndexOf(string tagId) => _table.TryGetIndex(tagId, out int index) ? index : -1;

    public ValueTask PublishAsync(ReadingFrame frame, CancellationToken cancellationToken)
    {
        // Push-based drivers call from their own threads, concurrently with the poll.
        lock (_gate)
        {
            foreach (ref readonly TagReading reading in frame.Readings)
            {
                if ((uint)reading.TagIndex >= (uint)_latest.Length)
                {
                    continue; // a driver bug the service would report; the probe shows the tags it knows
                }

                if (_latest[reading.TagIndex] is null && --_unread == 0)
                {
                    _everyTagRead.TrySetResult();
                }

                _latest[reading.TagIndex] = reading;
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The latest reading of each tag, in configuration order; null for a tag that never reported.</summary>
    public TagReading?[] Snapshot()
    {
        lock (_gate)
        {
            return (TagReading?[])_latest.Clone();
        }
    }
}
