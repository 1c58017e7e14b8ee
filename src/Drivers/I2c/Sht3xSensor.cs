using System.Device.I2c;
using Iot.Device.Sht3x;

namespace SmartCity.Edge.Drivers.I2c;

/// <summary>
/// An SHT3x through Iot.Device.Sht3x. Each property read of the binding is one single-shot measurement, so only the
/// quantities some tag asks for are measured. The device is wrapped in <see cref="Sht3xChecksumGuard"/> because the
/// binding silently keeps its previous value when a checksum fails.
/// </summary>
internal sealed class Sht3xSensor : II2cSensor
{
    private readonly Sht3x _sht3x;
    private readonly bool _temperature;
    private readonly bool _humidity;

    public Sht3xSensor(I2cDevice device, bool temperature, bool humidity)
    {
        _sht3x = new Sht3x(new Sht3xChecksumGuard(device));
        _temperature = temperature;
        _humidity = humidity;
    }

    public I2cSample Read() => new(
        _temperature ? _sht3x.Temperature.DegreesCelsius : null,
        _humidity ? _sht3x.Humidity.Percent : null,
        null);

    public void Dispose() => _sht3x.Dispose();
}
