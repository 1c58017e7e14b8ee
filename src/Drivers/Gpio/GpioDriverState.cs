namespace SmartCity.Edge.Drivers.Gpio;

/// <summary>Life cycle of a <see cref="GpioDeviceDriver"/>; transitions only forward.</summary>
internal enum GpioDriverState
{
    Created,
    Connecting,
    Connected,
    Disposed,
}
