using System.Device.I2c;
using Iot.Device.Bmxx80;
using Iot.Device.Bmxx80.ReadResult;

namespace SmartCity.Edge.Drivers.I2c;

/// <summary>
/// A BME280 through Iot.Device.Bmxx80: the binding checks the chip id (0x60), reads the trimming parameters and
/// applies the datasheet's compensation formulas; <see cref="Bme280.Read"/> runs one forced-mode measurement.
/// </summary>
internal sealed class Bme280Sensor : II2cSensor
{
    private readonly Bme280 _bme280;

    public Bme280Sensor(I2cDevice device)
    {
        _bme280 = new Bme280(device);
    }

    public I2cSample Read()
    {
        Bme280ReadResult result = _bme280.Read();
        return new I2cSample(result.Temperature?.DegreesCelsius, result.Humidity?.Percent, result.Pressure?.Hectopascals);
    }

    public void Dispose() => _bme280.Dispose();
}
