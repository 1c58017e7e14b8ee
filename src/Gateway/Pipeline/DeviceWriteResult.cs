using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>A write that went through: what the device held when read back, or why it could not be read back.</summary>
/// <param name="ReadBack">The value read back after the write; null when none was asked for or the read-back failed.</param>
/// <param name="ReadBackError">Why the read-back failed (<see cref="DeviceTagRefusedException"/>, <see cref="DeviceException"/>, <see cref="NotSupportedException"/>).</param>
internal readonly record struct DeviceWriteResult(TagValue? ReadBack, Exception? ReadBackError);
