using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers.Tests;

/// <summary>Keeps every log entry a driver writes (level, event id, text) so tests can assert on what a technician would read.</summary>
internal sealed class RecordingLoggerFactory : ILoggerFactory
{
    private readonly ConcurrentQueue<(LogLevel Level, int EventId, string Message)> _entries = new();
    private readonly SemaphoreSlim _logged = new(0);

    public IReadOnlyCollection<(LogLevel Level, int EventId, string Message)> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    /// <summary>
    /// Waits until an entry matches: a driver may log from its connection's reader after the failed request has
    /// already returned to the test (the link's loss is noticed there).
    /// </summary>
    public async Task WaitForAsync(Func<(LogLevel Level, int EventId, string Message), bool> match, string what)
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Passing);
        try
        {
            while (!_entries.Any(match))
            {
                await _logged.WaitAsync(timeout.Token);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no log entry {what} within {TestTimeouts.Passing}; logged: {string.Join(" | ", _entries)}");
        }
    }

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    private sealed class Logger(RecordingLoggerFactory factory) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            factory._entries.Enqueue((logLevel, eventId.Id, formatter(state, exception)));
            factory._logged.Release();
        }
    }
}
