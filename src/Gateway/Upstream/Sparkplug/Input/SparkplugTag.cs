using SmartCity.Edge.Gateway.Upstream.Sparkplug.Payload;

namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Input;

/// <summary>One tag of a device as Sparkplug sees it: its id (the metric name) and its configured type (the metric's datatype).</summary>
internal readonly record struct SparkplugTag(string Id, SparkplugDataType Type);
