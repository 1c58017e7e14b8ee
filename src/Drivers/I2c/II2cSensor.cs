namespace SmartCity.Edge.Drivers.I2c;

/// <summary>A connected sensor binding. Disposing it releases its <see cref="System.Device.I2c.I2cDevice"/>.</summary>
internal interface II2cSensor : IDisposable
{
    /// <summary>Takes one measurement. Blocks for the sensor's conversion time (tens of milliseconds).</summary>
    /// <exception cref="IOException">The bus transfer failed.</exception>
    I2cSample Read();
}
