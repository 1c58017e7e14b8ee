using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Monitoring;

namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>
/// Runs one <see cref="DeviceSupervisor"/> per configured device and completes the readings channel when all have
/// stopped. A configuration reload starts and stops single devices (<see cref="StopDeviceAsync"/>,
/// <see cref="StartDevice"/>) without touching the others.
/// </summary>
internal sealed class DeviceSupervisorService : BackgroundService, IDeviceOutputs, IDeviceAlarmAcknowledger
{
    private readonly ChannelWriter<Reading> _writer;
    private readonly IReadingSink _sink;
    private readonly DriverContext _context;
    private readonly ILoggerFactory _loggerFactory;
    private readonly PipelineMonitor _monitor;
    private readonly IDeviceStatusObserver? _status;
    private readonly IReadOnlyList<DeviceConfiguration> _initialDevices;
    private readonly Dictionary<string, RunningDevice> _running = new(StringComparer.Ordinal);
    private readonly HashSet<Task> _draining = [];
    private readonly Lock _gate = new();
    private CancellationToken _stoppingToken = new(canceled: true);
    private bool _accepting;

    public DeviceSupervisorService(GatewayConfiguration configuration, ReadingChannel channel, ILoggerFactory loggerFactory, TimeProvider time, PipelineMonitor monitor, IDeviceStatusObserver? status = null, IDeviceAlarmSink? deviceAlarms = null)
    {
        _writer = channel.Writer;
        _context = new DriverContext(loggerFactory, time, configuration.Gateway.DataDirectory) { DeviceAlarms = deviceAlarms, DeviceGauges = monitor };
        _sink = new ReadingSink(channel.Writer);
        _loggerFactory = loggerFactory;
        _monitor = monitor;
        _initialDevices = configuration.Devices;
        _status = status;
    }

    public IReadOnlyList<DeviceSupervisor> Supervisors
    {
        get
        {
            lock (_gate)
            {
                return _running.Values.Select(r => r.Supervisor).ToArray();
            }
        }
    }

    public ValueTask WriteAsync(string deviceId, string tagId, TagValue value, CancellationToken cancellationToken) =>
        Running(deviceId).WriteAsync(tagId, value, cancellationToken);

    public ValueTask<DeviceWriteResult> WriteAsync(string deviceId, string tagId, TagValue value, bool readBack, CancellationToken cancellationToken) =>
        Running(deviceId).WriteAsync(tagId, value, readBack, cancellationToken);

    private DeviceSupervisor Running(string deviceId)
    {
        lock (_gate)
        {
            return _running.TryGetValue(deviceId, out RunningDevice? running)
                ? running.Supervisor
                : throw new KeyNotFoundException($"no device '{deviceId}'");
        }
    }

    public ValueTask AcknowledgeAlarmAsync(string deviceId, string conditionId, string? comment, CancellationToken cancellationToken) =>
        Running(deviceId).AcknowledgeAlarmAsync(conditionId, comment, cancellationToken);

    /// <summary>Starts a device that is not running (added by a reload, or restarted with new settings).</summary>
    public void StartDevice(DeviceConfiguration device)
    {
        lock (_gate)
        {
            if (!_accepting || _running.ContainsKey(device.Id))
            {
                return;
            }

            DeviceMonitor monitor = _monitor.AddDevice(device.Id, device.Descriptor.Driver, device.Descriptor.PollInterval);
            var supervisor = new DeviceSupervisor(device, _sink, _context, _loggerFactory.CreateLogger("SmartCity.Edge.Device." + device.Id), monitor, _status);
            var cancellation = CancellationTokenSource.CreateLinkedTokenSource(_stoppingToken);

            // Task.Run: a driver that blocks in its synchronous part must not delay the other devices.
            Task task = Task.Run(() => supervisor.RunAsync(cancellation.Token), CancellationToken.None);
            _running.Add(device.Id, new RunningDevice(supervisor, cancellation, task));
        }
    }

    /// <summary>Stops one device and waits until its driver is disposed; the others keep polling.</summary>
    public async Task StopDeviceAsync(string deviceId, bool forget, CancellationToken cancellationToken)
    {
        RunningDevice? running;
        lock (_gate)
        {
            if (!_running.Remove(deviceId, out running))
            {
                return;
            }

            // Shutdown waits for devices being stopped too, so none writes to the channel after it is completed.
            _draining.Add(running.Task);
        }

        await running.Cancellation.CancelAsync().ConfigureAwait(false);
        await running.Task.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        lock (_gate)
        {
            _draining.Remove(running.Task);
        }

        running.Cancellation.Dispose();
        if (forget)
        {
            _monitor.RemoveDevice(deviceId);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            lock (_gate)
            {
                _stoppingToken = stoppingToken;
                _accepting = true;
            }

            foreach (DeviceConfiguration device in _initialDevices)
            {
                StartDevice(device);
            }

            await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

            Task[] tasks;
            lock (_gate)
            {
                _accepting = false;
                tasks = _running.Values.Select(r => r.Task).Concat(_draining).ToArray();
            }

            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        finally
        {
            _writer.TryComplete();
        }
    }

    private sealed record RunningDevice(DeviceSupervisor Supervisor, CancellationTokenSource Cancellation, Task Task);
}
