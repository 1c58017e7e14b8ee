using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers.I2c;

/// <summary>
/// One <c>driver: i2c</c> device: one sensor at one address. Connect opens the bus and lets the binding identify and
/// configure the sensor; each poll takes one measurement and publishes every tag's quantity.
/// </summary>
/// <remarks>
/// The bindings are synchronous and sleep for the conversion time (BME280 forced mode about 10 ms at x1 oversampling,
/// SHT3x 20 ms per measurement); a poll blocks its caller that long, which a poll interval of seconds absorbs.
/// </remarks>
internal sealed class I2cDeviceDriver : IDeviceDriver
{
    private readonly DeviceDescriptor _device;
    private readonly I2cSettings _settings;
    private readonly II2cBusOpener _opener;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private II2cSensor? _sensor;
    private IReadingSink? _sink;

    public I2cDeviceDriver(DeviceDescriptor device, I2cSettings settings, II2cBusOpener opener, TimeProvider time, ILogger logger)
    {
        _device = device;
        _settings = settings;
        _opener = opener;
        _time = time;
        _logger = logger;
    }

    public ValueTask ConnectAsync(IReadingSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (_sensor is not null)
        {
            throw new InvalidOperationException("ConnectAsync called twice; create a new driver instance to reconnect.");
        }

        System.Device.I2c.I2cDevice bus = _opener.Open(_settings.Bus, _settings.Address);
        try
        {
            _sensor = _settings.Sensor switch
            {
                I2cSensorKind.Bme280 => new Bme280Sensor(bus),
                I2cSensorKind.Sht3x => new Sht3xSensor(bus, Wants(I2cQuantity.Temperature), Wants(I2cQuantity.Humidity)),
                _ => throw new InvalidOperationException($"Unhandled sensor {_settings.Sensor}."),
            };
        }
        catch (Exception ex) when (IsHardwareError(ex))
        {
            bus.Dispose();
            throw I2cErrors.NoSensor(_settings, ex);
        }

        _sink = sink;
        I2cLog.Connected(_logger, _device.Id, I2cErrors.Name(_settings.Sensor), _settings.Address, _settings.Bus);
        return ValueTask.CompletedTask;
    }

    public async ValueTask PollAsync(CancellationToken cancellationToken)
    {
        II2cSensor sensor = _sensor ?? throw new DeviceException($"I2C device '{_device.Id}' is not connected.") { Kind = "disconnected" };
        I2cSample sample;
        string? failure = null;
        try
        {
            sample = sensor.Read();
        }
        catch (Sht3xChecksumException ex)
        {
            // One corrupted transfer: this poll's readings are bad, the connection is fine.
            I2cLog.MeasurementDiscarded(_logger, _device.Id, ex.Message);
            sample = default;
            failure = "checksum";
        }
        catch (Exception ex) when (IsHardwareError(ex))
        {
            throw I2cErrors.ReadFailed(_settings, ex);
        }

        DateTimeOffset now = _time.GetUtcNow();
        ReadingFrame frame = _sink!.CreateFrame();
        for (int i = 0; i < _settings.Tags.Count; i++)
        {
            I2cTagSettings tag = _settings.Tags[i];
            if (sample.Get(tag.Quantity) is double value && double.IsFinite(value))
            {
                frame.AddGood(i, TagValue.FromSingle((float)I2cUnits.Convert(value, tag.Unit)), now);
            }
            else
            {
                frame.AddBad(i, failure ?? "not measured", now);
            }
        }

        await _sink.PublishAsync(frame, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask WriteAsync(string tagId, TagValue value, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"I2C sensor tags are read-only ('{_device.Id}.{tagId}').");

    public ValueTask DisposeAsync()
    {
        II2cSensor? sensor = _sensor;
        _sensor = null;
        try
        {
            sensor?.Dispose();
        }
        catch (Exception ex) when (IsHardwareError(ex))
        {
            // Closing a file descriptor of a vanished bus; nothing left to release.
        }

        return ValueTask.CompletedTask;
    }

    private bool Wants(I2cQuantity quantity) => _settings.Tags.Any(t => t.Quantity == quantity);

    /// <summary>The bindings report bus failures as IOException, a wrong chip id as IOException, odd states as InvalidOperationException and more.</summary>
    private static bool IsHardwareError(Exception ex) =>
        ex is not (OperationCanceledException or OutOfMemoryException or DeviceException);
}
