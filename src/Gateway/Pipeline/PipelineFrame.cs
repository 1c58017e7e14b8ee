using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>A driver's frame on its way to the processing stage, with the tag table its tag indexes refer to.</summary>
internal readonly record struct PipelineFrame(TagTable Table, ReadingFrame Frame);
