using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Input;

/// <summary>One reading of a frame: which tag (its index in the frame's table), the value, its quality and when it was acquired.</summary>
/// <param name="TagIndex">Index into <see cref="SparkplugDeviceFrame.Tags"/>.</param>
/// <param name="Value">The value; <see cref="TagValue.None"/> for a bad reading without one.</param>
/// <param name="Quality">Good, uncertain or bad.</param>
/// <param name="Timestamp">Acquisition time, milliseconds since the epoch, UTC.</param>
internal readonly record struct SparkplugPoint(int TagIndex, TagValue Value, Quality Quality, long Timestamp);
