using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>
/// Report-by-exception: a reading passes when it is the tag's first, when its quality or reason changed, when a
/// non-numeric value changed, or when a numeric value moved at least the tag's deadband from the last one that passed.
/// </summary>
internal sealed class ReportByExceptionFilter
{
    private readonly Dictionary<(string Device, string Tag), TagState> _tags = new();

    public ReportByExceptionFilter(IEnumerable<DeviceConfiguration> devices, ReportByExceptionFilter? previous = null)
    {
        foreach (DeviceConfiguration device in devices)
        {
            foreach (TagConfiguration tag in device.Tags)
            {
                // After a reload a tag with the same deadband keeps its last published value: no burst of repeats.
                _tags[(device.Id, tag.Id)] = previous is not null
                    && previous._tags.TryGetValue((device.Id, tag.Id), out TagState? kept)
                    && kept.Deadband == tag.Deadband
                        ? kept
                        : new TagState(tag.Deadband);
            }
        }
    }

    public bool ShouldPublish(in Reading reading)
    {
        if (!_tags.TryGetValue((reading.DeviceId, reading.TagId), out TagState? state))
        {
            // A tag the configuration does not know (a driver bug or a dynamic tag): never hide it.
            return true;
        }

        bool publish = !state.HasValue
            || state.Quality != reading.Quality
            || !string.Equals(state.Reason, reading.Reason, StringComparison.Ordinal)
            || Changed(state, reading.Value);
        if (publish)
        {
            state.HasValue = true;
            state.Quality = reading.Quality;
            state.Reason = reading.Reason;
            state.Value = reading.Value;
        }

        return publish;
    }

    private static bool Changed(TagState state, TagValue value)
    {
        if (state.Deadband > 0 && value.IsNumeric && state.Value.IsNumeric && value.Kind != TagValueKind.Boolean)
        {
            return Math.Abs(value.AsDouble() - state.Value.AsDouble()) >= state.Deadband;
        }

        return value != state.Value;
    }

    private sealed class TagState(double deadband)
    {
        public double Deadband { get; } = deadband;

        public bool HasValue { get; set; }

        public Quality Quality { get; set; }

        public string? Reason { get; set; }

        public TagValue Value { get; set; }
    }
}
