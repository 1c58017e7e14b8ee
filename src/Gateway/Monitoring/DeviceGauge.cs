namespace SmartCity.Edge.Gateway.Monitoring;

/// <summary>A gauge a driver reported for its device: the HELP text and how to read the current value.</summary>
internal sealed record DeviceGauge(string Help, Func<double> Read);
