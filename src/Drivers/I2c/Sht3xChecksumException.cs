namespace SmartCity.Edge.Drivers.I2c;

/// <summary>An SHT3x measurement arrived with a wrong CRC-8: that measurement is unusable, the sensor is not (request-scoped).</summary>
internal sealed class Sht3xChecksumException : IOException
{
    public Sht3xChecksumException(string message)
        : base(message)
    {
    }
}
