using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Commands;

/// <summary>
/// One write a Sparkplug DCMD asks for, as the edge node read it: a metric resolved (by alias or name) to a device's
/// tag and its value decoded by the tag's datatype — or, when the DCMD or the metric could not be read, the refusal
/// that says why (the write is then only audited). One request per metric: a DCMD with several metrics is several
/// writes, each checked and audited on its own (docs/commands.md, "Sparkplug DCMD writes").
/// </summary>
/// <param name="Who">The audit record's <c>who</c>: <c>sparkplug:{primary_host_id}</c>, or <c>sparkplug:dcmd</c> without a primary host. Not verified: a DCMD has no signature.</param>
/// <param name="Topic">The DCMD's topic (for the log).</param>
/// <param name="DeviceId">The device the topic names; null when it is no configured device.</param>
/// <param name="TagId">The tag the metric names; null when unknown.</param>
/// <param name="Value">The value to write; <see cref="TagValue.None"/> when it could not be read.</param>
/// <param name="Refusal">Why the DCMD or this metric is refused before any check of the write rules; null: a write to check and execute.</param>
internal sealed record SparkplugWriteRequest(string Who, string Topic, string? DeviceId, string? TagId, TagValue Value, CommandRefusal? Refusal);
