using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Hosting;
using SmartCity.Edge.Gateway.Upstream;

namespace SmartCity.Edge.Gateway.Monitoring;

/// <summary>
/// What <c>/readyz</c> answers: the buffer accepts commits; upstream is connected, or the backlog is still well
/// inside <c>max_disk</c> (buffering is the design, running out of disk is not); and no device has a driver call
/// hung beyond <see cref="DeviceMonitor.StuckAfter"/>.
/// </summary>
internal sealed class ReadinessCheck
{
    /// <summary>Buffering is "within limits" below this share of the records' capacity (<c>max_disk</c> minus the WAL reserve); above it eviction is near.</summary>
    public const double BufferFillLimit = 0.8;

    /// <summary>A batch waiting this long for its commit means the disk is not taking writes (locked, hung, full).</summary>
    public static readonly TimeSpan CommitStallLimit = TimeSpan.FromSeconds(10);

    private readonly PipelineMonitor _monitor;
    private readonly IDurableBuffer _buffer;
    private readonly ForwarderService _forwarder;
    private readonly ActiveConfiguration _configuration;

    public ReadinessCheck(PipelineMonitor monitor, IDurableBuffer buffer, ForwarderService forwarder, ActiveConfiguration configuration)
    {
        _monitor = monitor;
        _buffer = buffer;
        _forwarder = forwarder;
        _configuration = configuration;
    }

    /// <summary>Every failing condition, in words for a technician; empty when ready.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (_monitor.CommitError is { } commitError)
        {
            problems.Add($"buffer not writable: {commitError}");
        }
        else if (_monitor.PendingRecords > 0 && _monitor.SinceLastCommit > CommitStallLimit)
        {
            problems.Add($"buffer not writable: {_monitor.PendingRecords} records have waited {_monitor.SinceLastCommit.TotalSeconds:0}s for a commit");
        }

        if (!_forwarder.Connected)
        {
            BufferStatistics stats = _buffer.GetStatistics();
            if (stats.UsedBytes > stats.CapacityBytes * BufferFillLimit || stats.DroppedTelemetry > 0)
            {
                problems.Add($"upstream unreachable and the buffer is beyond limits (records take {stats.UsedBytes} of {stats.CapacityBytes} bytes, files {stats.DiskBytes} of max_disk {_configuration.Current.Buffer.MaxDiskBytes}, {stats.DroppedTelemetry} readings evicted)");
            }
        }

        foreach (DeviceMonitor device in _monitor.Devices)
        {
            if (device.OutstandingFor() is { } running && running > device.StuckAfter)
            {
                problems.Add($"device {device.DeviceId} stuck: a {device.Driver} driver call has not returned for {running.TotalSeconds:0}s");
            }
        }

        return problems;
    }
}
