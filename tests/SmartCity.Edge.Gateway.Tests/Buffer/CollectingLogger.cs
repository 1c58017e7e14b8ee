using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Gateway.Tests.Buffer;

/// <summary>Keeps every log entry so tests can assert on what was (and was not) logged.</summary>
internal sealed class CollectingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state as IReadOnlyList<KeyValuePair<string, object?>>;
        Entries.Enqueue(new LogEntry(logLevel, eventId.Id, formatter(state, exception), values ?? []));
    }

    public IReadOnlyList<LogEntry> WithEventId(int eventId) => Entries.Where(e => e.EventId == eventId).ToList();
}
