using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Monitoring;

/// <summary>The latest reading of one tag, as the status page shows it.</summary>
internal sealed record TagSnapshot(string DeviceId, string TagId, TagValue Value, Quality Quality, string? Reason, DateTimeOffset Timestamp);
