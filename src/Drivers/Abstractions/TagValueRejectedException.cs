namespace SmartCity.Edge.Drivers;

/// <summary>
/// A value that cannot be written to a tag: of the wrong kind (text for a number, 5 for a coil), outside what the
/// tag's data type holds (70000 for a uint16), not finite. Thrown by <see cref="IDeviceDriver.WriteAsync"/> before
/// anything is sent, so the device is untouched; the message says what the tag takes.
/// </summary>
public sealed class TagValueRejectedException : ArgumentException
{
    public TagValueRejectedException(string message)
        : base(message)
    {
    }
}
