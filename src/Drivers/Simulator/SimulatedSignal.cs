namespace SmartCity.Edge.Drivers.Simulator;

/// <summary>The waveform a simulated tag follows.</summary>
public enum SimulatedSignal
{
    Constant,
    Sine,
    RandomWalk,
    Toggle,
    Counter,
}
