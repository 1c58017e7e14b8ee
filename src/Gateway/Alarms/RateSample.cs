namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>The previous sample of a rate-of-change rule.</summary>
internal readonly record struct RateSample(bool HasValue, double Value, DateTimeOffset Timestamp);
