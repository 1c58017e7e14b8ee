using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Gateway.Tests.Buffer;

/// <summary>One entry kept by <see cref="CollectingLogger{T}"/>, with its structured values.</summary>
internal sealed record LogEntry(LogLevel Level, int EventId, string Message, IReadOnlyList<KeyValuePair<string, object?>> Values)
{
    public object? Value(string name) => Values.First(v => v.Key == name).Value;
}
