namespace SmartCity.Edge.Drivers.Tests;

/// <summary>
/// A reading as a driver test looks at it: one <see cref="TagReading"/> of a published frame, with its tag named from
/// the device's tag list and the number of the frame it came in (1, 2, …).
/// </summary>
internal sealed record Reading(string TagId, int TagIndex, TagValue Value, Quality Quality, string? Reason, DateTimeOffset SourceTimestamp, long Frame);
