using SmartCity.Edge.Drivers.Configuration;

namespace SmartCity.Edge.Drivers.Simulator;

/// <summary>
/// <c>driver: simulator</c>: made-up but plausible signals, so the demo and the tests run with no equipment.
/// Tag keys: <c>signal</c> (constant | sine | random_walk | toggle | counter), <c>min</c>, <c>max</c>,
/// <c>value</c> (constant), <c>period</c> (sine, toggle; default 60s), <c>step</c> (random_walk). Device key: <c>seed</c>.
/// </summary>
public sealed class SimulatorDriverFactory : IDriverFactory
{
    private static readonly Dictionary<string, SimulatedSignal> s_signals = new(StringComparer.Ordinal)
    {
        ["constant"] = SimulatedSignal.Constant,
        ["sine"] = SimulatedSignal.Sine,
        ["random_walk"] = SimulatedSignal.RandomWalk,
        ["toggle"] = SimulatedSignal.Toggle,
        ["counter"] = SimulatedSignal.Counter,
    };

    public IReadOnlyList<string> DriverNames { get; } = ["simulator"];

    public DriverSettings ReadSettings(DeviceDescriptor device, ConfigSection deviceSection, IReadOnlyList<ConfigSection> tagSections)
    {
        int seed = deviceSection.GetInt32("seed", StableSeed(device.Id));
        var tags = new List<SimulatedTag>(tagSections.Count);
        for (int i = 0; i < tagSections.Count; i++)
        {
            ConfigSection tag = tagSections[i];
            SimulatedSignal signal = tag.GetChoice("signal", SimulatedSignal.Constant, s_signals, required: true);
            double min = tag.GetDouble("min", 0);
            double max = tag.GetDouble("max", signal == SimulatedSignal.Toggle ? 1 : 100);
            if (signal == SimulatedSignal.Constant && tag.GetOptionalDouble("value") is { } constant)
            {
                min = max = constant;
            }
            else
            {
                tag.Accept("value");
            }

            if (max < min)
            {
                tag.Error("max", $"max ({max}) is below min ({min})");
            }

            TimeSpan period = tag.GetDuration("period", TimeSpan.FromSeconds(60), min: TimeSpan.FromMilliseconds(10));
            double step = tag.GetDouble("step", (max - min) / 20, min: 0);
            tags.Add(new SimulatedTag(device.Tags[i].Id, signal, min, max, period, step));
        }

        return new SimulatorSettings(tags, seed);
    }

    public IDeviceDriver Create(DeviceDescriptor device, DriverSettings settings, DriverContext context) =>
        new SimulatorDriver(device, (SimulatorSettings)settings, context.TimeProvider);

    /// <summary>string.GetHashCode is randomised per process; the seed must not be.</summary>
    private static int StableSeed(string text)
    {
        int hash = 17;
        foreach (char c in text)
        {
            hash = unchecked((hash * 31) + c);
        }

        return hash;
    }
}
