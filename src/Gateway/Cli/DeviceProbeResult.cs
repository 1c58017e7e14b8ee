using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>What one device gave <c>smartcity-edge test</c>: a reading per tag, or the error that stopped it.</summary>
/// <param name="Device">The configured device.</param>
/// <param name="Readings">The latest reading of each tag in configuration order; null where none came.</param>
/// <param name="Error">The technician's message when connecting or polling failed (the <see cref="DeviceException"/> text the service logs), else null.</param>
/// <param name="ErrorKind">The failure's short class (<see cref="DeviceException.Kind"/>, <c>timeout</c>, <c>internal</c>), else null.</param>
/// <param name="Elapsed">From creating the driver until the last awaited reading or the failure.</param>
/// <param name="Wait">How long push-based tags were given for their first value.</param>
internal sealed record DeviceProbeResult(
    DeviceConfiguration Device,
    IReadOnlyList<TagReading?> Readings,
    string? Error,
    string? ErrorKind,
    TimeSpan Elapsed,
    TimeSpan Wait)
{
    public bool Answered => Error is null;

    /// <summary>Answered, and every tag has a good reading.</summary>
    public bool AllGood => Answered && Readings.All(r => r is { Quality: Quality.Good });

    /// <summary>The reason shown for a tag that never reported.</summary>
    public string NoReadingReason => $"no value within {Drivers.Configuration.DurationParser.Format(Wait)}";
}
