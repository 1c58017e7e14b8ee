using Microsoft.Extensions.Logging;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Monitoring;

namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>
/// Owns one device: creates its driver, connects, polls on schedule, and after a failure marks every tag bad once,
/// disposes the driver and reconnects with exponential backoff and jitter. One device's trouble never touches another's loop.
/// </summary>
internal sealed class DeviceSupervisor
{
    private static readonly TimeSpan s_summaryInterval = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The longest wait between two connect attempts of a device that keeps failing (before the backoff's +20 %
    /// jitter): a device back after a long outage is polled again within this.
    /// </summary>
    internal static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(60);

    private readonly DeviceConfiguration _device;
    private readonly IReadingSink _sink;
    private readonly DriverContext _context;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Backoff _backoff;
    private readonly DeviceMonitor _monitor;
    private readonly IDeviceStatusObserver? _status;
    private int _failuresSinceOnline;
    private int _failuresSinceSummary;
    private DateTimeOffset _lastSummary;
    private volatile IDeviceDriver? _connected;

    /// <summary>
    /// One driver call at a time: a poll, an output write, an operator's write with its read-back. Drivers need not be
    /// safe for concurrent calls, and a read-back shows the device after this write, not after one racing it.
    /// </summary>
    private readonly SemaphoreSlim _driverGate = new(1, 1);

    public DeviceSupervisor(DeviceConfiguration device, IReadingSink sink, DriverContext context, ILogger logger, DeviceMonitor? monitor = null, IDeviceStatusObserver? status = null)
    {
        _monitor = monitor ?? new DeviceMonitor(device.Id, device.Descriptor.Driver, device.Descriptor.PollInterval, context.TimeProvider);
        _status = status;
        _device = device;
        _sink = sink;
        _context = context;
        _logger = logger;
        _time = context.TimeProvider;
        _backoff = new Backoff(TimeSpan.FromSeconds(1), MaxRetryDelay, new Random());
    }

    public DeviceState State
    {
        get => _monitor.State;
        private set => _monitor.State = value;
    }

    public string? LastError
    {
        get => _monitor.LastError;
        private set => _monitor.LastError = value;
    }

    public string DeviceId => _device.Id;

    /// <summary>Writes through the driver instance that is connected now, between two polls.</summary>
    public async ValueTask WriteAsync(string tagId, TagValue value, CancellationToken cancellationToken) =>
        await WriteAsync(tagId, value, readBack: false, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Writes through the driver instance that is connected now, between two polls, and with <paramref name="readBack"/>
    /// reads the tag back from the device before the next poll or write (<see cref="IReadBackTags"/>). The write's
    /// failures are thrown; a read-back failure is returned, since the write itself went through.
    /// </summary>
    public async ValueTask<DeviceWriteResult> WriteAsync(string tagId, TagValue value, bool readBack, CancellationToken cancellationToken)
    {
        await _driverGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            IDeviceDriver driver = _connected ?? throw Offline();
            await driver.WriteAsync(tagId, value, cancellationToken).ConfigureAwait(false);
            if (!readBack)
            {
                return default;
            }

            if (driver is not IReadBackTags reader)
            {
                return new DeviceWriteResult(null, new NotSupportedException($"the {_device.Descriptor.Driver} driver cannot read a tag back"));
            }

            try
            {
                return new DeviceWriteResult(await reader.ReadTagAsync(tagId, cancellationToken).ConfigureAwait(false), null);
            }
            catch (Exception ex) when (ex is DeviceException or DeviceTagRefusedException or NotSupportedException)
            {
                return new DeviceWriteResult(null, ex);
            }
        }
        finally
        {
            _driverGate.Release();
        }
    }

    /// <summary>Acknowledges an alarm the device keeps, through the driver instance that is connected now.</summary>
    public ValueTask AcknowledgeAlarmAsync(string conditionId, string? comment, CancellationToken cancellationToken) => _connected switch
    {
        IAcknowledgeDeviceAlarms driver => driver.AcknowledgeAlarmAsync(conditionId, comment, cancellationToken),
        null => throw Offline(),
        _ => throw new NotSupportedException($"the {_device.Descriptor.Driver} driver of device '{_device.Id}' cannot acknowledge alarms"),
    };

    private DeviceOfflineException Offline() => new(_device.Id, LastError);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            string? failure = null;
            IDeviceDriver? driver = null;
            try
            {
                driver = _device.Factory.Create(_device.Descriptor, _device.Settings, _context);
                long started = _monitor.BeginOperation();
                try
                {
                    await driver.ConnectAsync(_sink, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _monitor.EndOperation(started);
                }

                _connected = driver;
                await PollUntilFailureAsync(driver, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (DeviceException ex)
            {
                failure = ex.Message;
                _monitor.CountError(ex.Kind);
            }
            catch (Exception ex)
            {
                // A bug in a driver must not take the gateway down: treat it like a lost connection, but loudly.
                PipelineLog.DriverBug(_logger, ex, _device.Id, _device.Descriptor.Driver);
                _monitor.CountError("internal");
                failure = $"internal error in the {_device.Descriptor.Driver} driver: {ex.GetType().Name}: {ex.Message}";
            }
            finally
            {
                _connected = null;
                if (driver is not null)
                {
                    // A write in progress finishes (or times out) before its driver goes.
                    await _driverGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                    _driverGate.Release();
                    await DisposeQuietlyAsync(driver).ConfigureAwait(false);
                }
            }

            if (failure is null)
            {
                continue;
            }

            TimeSpan delay = _backoff.Next();
            await MarkOfflineAsync(failure, delay, cancellationToken).ConfigureAwait(false);
            try
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        State = DeviceState.Stopped;
    }

    private async Task PollUntilFailureAsync(IDeviceDriver driver, CancellationToken cancellationToken)
    {
        bool first = true;
        long epoch = driver.ConnectionEpoch;
        using var timer = new PeriodicTimer(_device.Descriptor.PollInterval, _time);
        do
        {
            await _driverGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            long started = _monitor.BeginOperation();
            try
            {
                await driver.PollAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _monitor.PollLatency.Observe(_monitor.EndOperation(started));
                _driverGate.Release();
            }

            if (first)
            {
                first = false;
                epoch = driver.ConnectionEpoch;
                MarkOnline();
            }
            else if (driver.ConnectionEpoch != epoch)
            {
                // The driver reopened a lost connection between two polls: the device may have restarted meanwhile.
                epoch = driver.ConnectionEpoch;
                PipelineLog.DeviceReconnected(_logger, _device.Id);
                _status?.OnDeviceOnline(_device.Id, _time.GetUtcNow());
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    private void MarkOnline()
    {
        if (_failuresSinceOnline > 0)
        {
            PipelineLog.DeviceRecovered(_logger, _device.Id, _failuresSinceOnline);
        }
        else
        {
            PipelineLog.DeviceConnected(_logger, _device.Id, _device.Descriptor.Driver);
        }

        _failuresSinceOnline = 0;
        _failuresSinceSummary = 0;
        _backoff.Reset();
        State = DeviceState.Online;
        LastError = null;
        _status?.OnDeviceOnline(_device.Id, _time.GetUtcNow());
    }

    private async Task MarkOfflineAsync(string reason, TimeSpan retry, CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        LastError = reason;
        _failuresSinceOnline++;
        _failuresSinceSummary++;

        // Before the bad readings below, so the alarm engine knows they come from a device that stopped answering.
        _status?.OnDevicePollFailed(_device.Id, _failuresSinceOnline, reason, now);
        if (State != DeviceState.Offline)
        {
            State = DeviceState.Offline;
            _lastSummary = now;
            _failuresSinceSummary = 0;
            PipelineLog.DeviceOffline(_logger, _device.Id, reason, retry.TotalSeconds);

            // Consumers must see that the values they hold are stale: one bad reading per tag, once per outage.
            ReadingFrame stale = _sink.CreateFrame();
            for (int i = 0; i < _device.Tags.Count; i++)
            {
                stale.AddBad(i, reason, now);
            }

            try
            {
                await _sink.PublishAsync(stale, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        else if (now - _lastSummary >= s_summaryInterval)
        {
            PipelineLog.DeviceStillOffline(_logger, _device.Id, _failuresSinceSummary, reason);
            _lastSummary = now;
            _failuresSinceSummary = 0;
        }
    }

    private async Task DisposeQuietlyAsync(IDeviceDriver driver)
    {
        try
        {
            await driver.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            PipelineLog.DriverBug(_logger, ex, _device.Id, _device.Descriptor.Driver);
        }
    }
}
