namespace SmartCity.Edge.Drivers.Simulator;

/// <summary>Validated settings of a <c>driver: simulator</c> device.</summary>
/// <param name="Tags">One entry per configured tag, in configuration order.</param>
/// <param name="Seed">Seed of the random walks, so a run can be repeated.</param>
public sealed record SimulatorSettings(IReadOnlyList<SimulatedTag> Tags, int Seed) : DriverSettings
{
    /// <inheritdoc />
    public override TagDataType DataTypeOf(int tagIndex) => tagIndex < Tags.Count
        ? Tags[tagIndex].Signal switch
        {
            SimulatedSignal.Toggle => TagDataType.Boolean,
            SimulatedSignal.Counter => TagDataType.Int64,
            _ => TagDataType.Float64,
        }
        : TagDataType.Unknown;
}

/// <summary>One simulated tag.</summary>
/// <param name="Id">Tag id.</param>
/// <param name="Signal">Waveform.</param>
/// <param name="Min">Lower bound (sine trough, random-walk floor, counter start).</param>
/// <param name="Max">Upper bound (sine crest, random-walk ceiling, counter wrap).</param>
/// <param name="Period">Sine or toggle period.</param>
/// <param name="Step">Largest random-walk step per poll.</param>
public sealed record SimulatedTag(string Id, SimulatedSignal Signal, double Min, double Max, TimeSpan Period, double Step);
