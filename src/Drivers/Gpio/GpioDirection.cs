namespace SmartCity.Edge.Drivers.Gpio;

/// <summary>Whether a GPIO tag reads a contact or drives a relay.</summary>
public enum GpioDirection
{
    Input,
    Output,
}
