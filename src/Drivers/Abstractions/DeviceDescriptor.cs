namespace SmartCity.Edge.Drivers;

/// <summary>The driver-independent part of a device's configuration, read by the gateway before the driver reads its own keys.</summary>
/// <param name="Tags">
/// The device's tag table. A tag's position in it is its <see cref="TagReading.TagIndex"/>; a driver factory gets the
/// tag sections in the same order, so index i of the driver's own tag settings is index i here.
/// </param>
public sealed record DeviceDescriptor(string Id, string Driver, TimeSpan PollInterval, IReadOnlyList<TagDescriptor> Tags);

/// <summary>The driver-independent part of a tag's configuration.</summary>
public sealed record TagDescriptor(string Id, string? Unit);
