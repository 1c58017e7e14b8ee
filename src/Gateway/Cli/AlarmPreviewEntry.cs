using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>One alarm rule evaluated on the tested value.</summary>
/// <param name="Alarm">The rule as the engine sees it.</param>
/// <param name="State">Whether its condition holds.</param>
/// <param name="Value">The value it was evaluated on (none when unknown).</param>
/// <param name="Detail">The formatted alarm message when active; why it is unknown; else null.</param>
internal sealed record AlarmPreviewEntry(AlarmDefinition Alarm, AlarmPreviewState State, TagValue Value, string? Detail);
