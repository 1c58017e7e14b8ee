using SmartCity.Edge.Drivers;
using SmartCity.Edge.Drivers.Configuration;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>
/// Runs one configured device the way the service's device supervisor does — factory, connect, one poll — but once:
/// then waits up to the push wait for tags that only report by themselves (OPC UA subscriptions, GPIO edges) and
/// disposes the driver. Never writes, and hands readings to a <see cref="ProbeReadingSink"/> rather than the pipeline.
/// </summary>
internal sealed class DeviceProbe
{
    // Closing a session to a server that stopped answering must not hold the command's result hostage.
    private static readonly TimeSpan s_disposeTimeout = TimeSpan.FromSeconds(5);

    private readonly DriverContext _context;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _wait;
    private readonly TextWriter _diagnostics;

    /// <param name="context">What drivers get in the service (logger factory, clock, data_dir), without a device-alarm sink.</param>
    /// <param name="timeout">Budget for connect plus the first poll.</param>
    /// <param name="wait">Further time for tags that have not reported after the poll.</param>
    /// <param name="diagnostics">Where a driver bug met while disposing is reported.</param>
    public DeviceProbe(DriverContext context, TimeSpan timeout, TimeSpan wait, TextWriter diagnostics)
    {
        _context = context;
        _timeout = timeout;
        _wait = wait;
        _diagnostics = diagnostics;
    }

    public async Task<DeviceProbeResult> RunAsync(DeviceConfiguration device, CancellationToken cancellationToken)
    {
        TimeProvider time = _context.TimeProvider;
        long started = time.GetTimestamp();
        var sink = new ProbeReadingSink(device.Table);
        string phase = "creating the driver";
        string? error = null;
        string? errorKind = null;
        IDeviceDriver? driver = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            driver = device.Factory.Create(device.Descriptor, device.Settings, _context);
            phase = "connecting";
            await driver.ConnectAsync(sink, timeout.Token).ConfigureAwait(false);
            phase = "polling";
            await driver.PollAsync(timeout.Token).ConfigureAwait(false);

            // Subscribed tags report when the server publishes, edge inputs when they are read on connect: give them
            // the wait, but no longer than it takes the last of them to arrive.
            try
            {
                await sink.EveryTagRead.WaitAsync(_wait, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Tags still without a reading are shown as such.
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            error = $"no answer within {DurationParser.Format(_timeout)} while {phase} (--timeout)";
            errorKind = "timeout";
        }
        catch (DeviceException ex)
        {
            error = ex.Message;
            errorKind = ex.Kind;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // As the supervisor reports a driver bug: the device counts as failed, the other devices go on.
            error = $"internal error in the {device.Descriptor.Driver} driver: {ex.GetType().Name}: {ex.Message}";
            errorKind = "internal";
        }

        TimeSpan elapsed = time.GetElapsedTime(started);
        TagReading?[] readings = sink.Snapshot();
        if (driver is not null)
        {
            await DisposeQuietlyAsync(device, driver, time).ConfigureAwait(false);
        }

        return new DeviceProbeResult(device, readings, error, errorKind, elapsed, _wait);
    }

    private async Task DisposeQuietlyAsync(DeviceConfiguration device, IDeviceDriver driver, TimeProvider time)
    {
        try
        {
            await driver.DisposeAsync().AsTask().WaitAsync(s_disposeTimeout, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _diagnostics.WriteLine($"test: device '{device.Id}': the {device.Descriptor.Driver} driver did not close within {DurationParser.Format(s_disposeTimeout)}; left behind");
        }
        catch (Exception ex)
        {
            _diagnostics.WriteLine($"test: device '{device.Id}': closing the {device.Descriptor.Driver} driver failed: {ex.GetType().Name}: {ex.Message}");
        }
    }
}
