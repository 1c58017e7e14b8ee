using SmartCity.Edge.Gateway.Monitoring;
using SmartCity.Edge.Gateway.Pipeline;

namespace SmartCity.Edge.Gateway.Hosting;

/// <summary>
/// Decides, once per watchdog interval, whether the pipeline made progress since the previous check. "Progress"
/// means all of:
/// <list type="number">
/// <item>Processing: when readings were waiting (in the readings channel or in a batch held for a retried commit),
/// at least one commit to the durable buffer completed since the previous check. An idle pipeline (nothing
/// waiting) is not stalled.</item>
/// <item>Devices: no driver call (connect or poll) has been outstanding longer than
/// <see cref="DeviceMonitor.StuckAfter"/>. A device that is offline and retrying with backoff is progressing:
/// restarting the gateway would not bring its cable back.</item>
/// </list>
/// Upstream outages are not stalls either: buffering on disk is the designed response.
/// </summary>
internal sealed class PipelineProgress
{
    private readonly PipelineMonitor _monitor;
    private readonly ReadingChannel _channel;
    private long _committedAtLastCheck = -1;

    public PipelineProgress(PipelineMonitor monitor, ReadingChannel channel)
    {
        _monitor = monitor;
        _channel = channel;
    }

    /// <summary>Null when the pipeline progressed; otherwise why not, in words for the log.</summary>
    public string? Check()
    {
        long committed = _monitor.Committed;
        int waiting = _channel.Reader.Count + _monitor.PendingRecords;
        bool committedSince = committed != _committedAtLastCheck;
        bool firstCheck = _committedAtLastCheck < 0;
        _committedAtLastCheck = committed;
        if (!firstCheck && waiting > 0 && !committedSince)
        {
            string why = _monitor.CommitError is { } error ? $": {error}" : string.Empty;
            return $"processing committed nothing since the last check while {waiting} readings wait{why}";
        }

        foreach (DeviceMonitor device in _monitor.Devices)
        {
            if (device.OutstandingFor() is { } running && running > device.StuckAfter)
            {
                return $"device {device.DeviceId}: a {device.Driver} driver call has not returned for {running.TotalSeconds:0}s";
            }
        }

        return null;
    }
}
