using SmartCity.Edge.Drivers.Configuration;

namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>A configuration, or the problems that prevented it.</summary>
public sealed record ConfigurationLoadResult(GatewayConfiguration? Configuration, ConfigProblems Problems);
