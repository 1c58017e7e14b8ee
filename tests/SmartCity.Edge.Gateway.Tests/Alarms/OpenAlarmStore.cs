using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Buffer;

namespace SmartCity.Edge.Gateway.Tests.Alarms;

/// <summary>The alarm state store on a real buffer.db in <paramref name="directory"/> (the buffer is opened as the gateway opens it).</summary>
internal sealed class OpenAlarmStore : IDisposable
{
    public OpenAlarmStore(string directory, ILogger? logger = null)
    {
        Buffer = new SqliteDurableBuffer(new BufferOptions { DataDirectory = directory }, NullLogger<SqliteDurableBuffer>.Instance, TimeProvider.System);
        Store = new AlarmStateStore(Buffer, logger ?? NullLogger.Instance);
    }

    public SqliteDurableBuffer Buffer { get; }

    public AlarmStateStore Store { get; }

    /// <summary>Records <paramref name="states"/> and <paramref name="outbox"/> and waits for the commit.</summary>
    public void Commit(IReadOnlyList<(AlarmEvent Event, string Body)> states, IReadOnlyList<(Uri Url, string Body)> outbox, DateTimeOffset now) =>
        Store.CommitRowsAsync(new AlarmBatchRows(states, outbox), now, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    public void Dispose() => Buffer.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
