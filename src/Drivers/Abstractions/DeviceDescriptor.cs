namespace SmartCity.Edge.Drivers;

/// <summary>The driver-independent part of a device's configuration, read by the gateway before the driver reads its own keys.</summary>
public sealed record DeviceDescriptor(string Id, string Driver, TimeSpan PollInterval, IReadOnlyList<TagDescriptor> Tags);

/// <summary>The driver-independent part of a tag's configuration.</summary>
public sealed record TagDescriptor(string Id, string? Unit);
