using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>One entry of <c>devices:</c>: the common keys, the driver that serves it and that driver's validated settings.</summary>
public sealed record DeviceConfiguration(
    DeviceDescriptor Descriptor,
    IDriverFactory Factory,
    DriverSettings Settings,
    IReadOnlyList<TagConfiguration> Tags)
{
    public string Id => Descriptor.Id;
}

/// <summary>The gateway's view of a tag: report-by-exception deadband, unit, and whether operators may write it.</summary>
/// <param name="Id">Tag id, unique within its device.</param>
/// <param name="Unit">Engineering unit, free text.</param>
/// <param name="Deadband">Publish a numeric value only when it moved at least this much since the last published one; 0 publishes every change.</param>
public sealed record TagConfiguration(string Id, string? Unit, double Deadband)
{
    /// <summary><c>writable: true</c> and its rules; null: no command may write this tag.</summary>
    public TagWriteRules? Write { get; init; }
}
