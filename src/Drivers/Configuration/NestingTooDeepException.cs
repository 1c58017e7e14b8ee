using YamlDotNet.Core;

namespace SmartCity.Edge.Drivers.Configuration;

/// <summary>A YAML document nests lists and mappings deeper than <see cref="ConfigDocument.MaxNesting"/>.</summary>
internal sealed class NestingTooDeepException(Mark start) : Exception("YAML nesting too deep")
{
    public Mark Start { get; } = start;
}
