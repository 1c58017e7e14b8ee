using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Hosting;
using SmartCity.Edge.Gateway.Pipeline;
using SmartCity.Edge.Gateway.Upstream;

namespace SmartCity.Edge.Gateway.Monitoring;

/// <summary>
/// What <c>/readyz</c> answers and the status page header shows: the worst current state. <b>Not ready</b> (data at
/// risk): the buffer does not take commits; upstream is down and the backlog is near <c>max_disk</c> or readings were
/// evicted; a device has a driver call hung beyond <see cref="DeviceMonitor.StuckAfter"/>. <b>Degraded</b> (running as
/// designed, nothing lost, something to fix): upstream down while the disk buffers; a device offline or still
/// connecting. <b>Ready</b> otherwise.
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

    /// <summary>Every failing condition, in words for a technician, worst first; empty when ready.</summary>
    public IReadOnlyList<string> Problems() => Evaluate().Problems.Select(p => p.Text).ToArray();

    public Readiness Evaluate()
    {
        var problems = new List<ReadinessProblem>();
        BufferStatistics buffer = _buffer.GetStatistics();
        if (buffer.DiskFull)
        {
            problems.Add(new(ReadinessLevel.NotReady, "buffer disk full", $"buffer disk full: telemetry is held in memory until the volume of data_dir '{_configuration.Current.Gateway.DataDirectory}' has room again; alarms and audit records still commit into the reserve ({buffer.DiskReserveBytes} of {_configuration.Current.Buffer.DiskReserveBytes} bytes left)"));
        }
        else if (_monitor.CommitError is { } commitError)
        {
            problems.Add(new(ReadinessLevel.NotReady, "buffer not writable", $"buffer not writable: {commitError}"));
        }
        else if (_monitor.PendingRecords > 0 && _monitor.SinceLastCommit > CommitStallLimit)
        {
            problems.Add(new(ReadinessLevel.NotReady, "buffer not writable", $"buffer not writable: {_monitor.PendingRecords} records have waited {_monitor.SinceLastCommit.TotalSeconds:0}s for a commit"));
        }

        if (!_forwarder.Connected)
        {
            BufferStatistics stats = _buffer.GetStatistics();
            string down = string.Join(", ", _forwarder.Publishers.Where(p => !p.IsConnected).Select(p => p.Name));
            if (stats.UsedBytes > stats.CapacityBytes * BufferFillLimit || stats.DroppedTelemetry > 0)
            {
                problems.Add(new(ReadinessLevel.NotReady, "upstream down, buffer full", $"upstream unreachable ({down}) and the buffer is beyond limits (records take {stats.UsedBytes} of {stats.CapacityBytes} bytes, files {stats.DiskBytes} of max_disk {_configuration.Current.Buffer.MaxDiskBytes}, {stats.DroppedTelemetry} readings evicted)"));
            }
            else
            {
                problems.Add(new(ReadinessLevel.Degraded, "upstream down, buffering", $"upstream down ({down}): buffering on disk, {stats.TelemetryCount} readings and {stats.AlarmCount} alarms waiting, {Math.Round(100.0 * stats.UsedBytes / Math.Max(1, stats.CapacityBytes), 1)} % of the buffer"));
            }
        }

        foreach (DeviceMonitor device in _monitor.Devices)
        {
            if (device.OutstandingFor() is { } running && running > device.StuckAfter)
            {
                problems.Add(new(ReadinessLevel.NotReady, $"device {device.DeviceId} stuck", $"device {device.DeviceId} stuck: a {device.Driver} driver call has not returned for {running.TotalSeconds:0}s"));
            }
            else if (device.State == DeviceState.Offline)
            {
                problems.Add(new(ReadinessLevel.Degraded, $"device {device.DeviceId} offline", $"device {device.DeviceId} offline: {device.LastError ?? "no answer"}"));
            }
            else if (device.State == DeviceState.Starting)
            {
                problems.Add(new(ReadinessLevel.Degraded, $"device {device.DeviceId} connecting", $"device {device.DeviceId} is connecting"));
            }
        }

        ReadinessProblem[] worstFirst = problems.OrderByDescending(p => p.Level).ToArray(); // stable: devices stay in id order
        return new Readiness(worstFirst.Length == 0 ? ReadinessLevel.Ready : worstFirst[0].Level, worstFirst);
    }
}
