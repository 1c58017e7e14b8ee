using System.Device.Gpio;

namespace SmartCity.Edge.Drivers.Gpio;

/// <summary>
/// Opens the System.Device.Gpio driver for one GPIO chip. The seam between the gateway and the board:
/// production uses <see cref="LibGpiodChipOpener"/>; tests supply a <see cref="GpioDriver"/> subclass they toggle.
/// </summary>
public interface IGpioChipOpener
{
    /// <summary>Returns a driver for <c>/dev/gpiochip<paramref name="chip"/></c>, owned by the caller.</summary>
    /// <exception cref="DeviceException">The chip is missing, not accessible to the service user, or libgpiod is not installed.</exception>
    GpioDriver Open(int chip);
}
