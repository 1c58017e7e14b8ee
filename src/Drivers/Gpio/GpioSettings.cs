namespace SmartCity.Edge.Drivers.Gpio;

/// <summary>Validated settings of a <c>driver: gpio</c> device.</summary>
/// <param name="Chip">The <c>/dev/gpiochipN</c> number (0 on a Pi 1-4 and, with current kernels, on a Pi 5).</param>
/// <param name="Tags">One entry per configured tag, in configuration order.</param>
public sealed record GpioSettings(int Chip, IReadOnlyList<GpioTagSettings> Tags) : DriverSettings
{
    /// <inheritdoc />
    public override TagDataType DataTypeOf(int tagIndex) => TagDataType.Boolean;
}
