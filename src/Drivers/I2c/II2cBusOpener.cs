using System.Device.I2c;

namespace SmartCity.Edge.Drivers.I2c;

/// <summary>
/// Opens System.Device.I2c's device for one address on one bus. The seam between the gateway and the board:
/// production uses <see cref="LinuxI2cBusOpener"/>; tests supply an <see cref="I2cDevice"/> subclass replaying a sensor's registers.
/// </summary>
public interface II2cBusOpener
{
    /// <summary>Returns the device at <paramref name="address"/> on <c>/dev/i2c-<paramref name="bus"/></c>, owned by the caller.</summary>
    /// <exception cref="DeviceException">The bus is missing or not accessible to the service user.</exception>
    I2cDevice Open(int bus, int address);
}
