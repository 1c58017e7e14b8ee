namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>The <c>buffer:</c> section.</summary>
/// <param name="MaxDiskBytes">When the buffer database uses this much, the oldest telemetry is evicted (alarms never are).</param>
public sealed record BufferConfiguration(long MaxDiskBytes);
