using Microsoft.Data.Sqlite;

namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>What a <see cref="WriteRequest"/> asks the writer thread to do.</summary>
internal enum WriteOperation
{
    Append,

    /// <summary>Moves one upstream's cursor and deletes what every upstream has.</summary>
    Acknowledge,

    /// <summary>Sets <c>PRAGMA max_page_count</c> on the writer connection (tests simulate a full disk with it).</summary>
    SetMaxPageCount,

    /// <summary>Runs a caller's statements on the writer connection inside the writer's transaction (alarm state, webhook outbox).</summary>
    Execute,
}

/// <summary>
/// One caller's write, queued for the single writer thread, which commits several requests in one transaction
/// (group commit) and completes each only after that transaction is durable.
/// </summary>
internal sealed class WriteRequest
{
    private WriteRequest(WriteOperation operation, IReadOnlyList<BufferEntry>? entries, string? upstream, RecordKind kind, long argument,
        Action<SqliteConnection, long>? companion = null, Func<SqliteConnection, long>? work = null)
    {
        Operation = operation;
        Entries = entries;
        Upstream = upstream;
        Kind = kind;
        Argument = argument;
        Companion = companion;
        Work = work;
    }

    /// <summary>
    /// Append: statements run in the same transaction right after the entries were inserted, given the first seq, so
    /// what depends on the seqs commits with them or not at all. May run more than once (a group that failed is retried
    /// request by request): it must only write to the database.
    /// </summary>
    public Action<SqliteConnection, long>? Companion { get; }

    /// <summary>Execute: the statements; their result is the request's.</summary>
    public Func<SqliteConnection, long>? Work { get; }

    public WriteOperation Operation { get; }

    public IReadOnlyList<BufferEntry>? Entries { get; }

    /// <summary>Acknowledge: whose cursor.</summary>
    public string? Upstream { get; }

    public RecordKind Kind { get; }

    /// <summary>Acknowledge: the seq acknowledged through. SetMaxPageCount: the page count.</summary>
    public long Argument { get; }

    /// <summary>Set by the writer inside the transaction; handed to <see cref="Completion"/> once committed.</summary>
    public long Result { get; set; }

    /// <summary>Append: first seq. Acknowledge: records deleted. Continuations never run on the writer thread.</summary>
    public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static WriteRequest Append(IReadOnlyList<BufferEntry> entries, Action<SqliteConnection, long>? companion = null) =>
        new(WriteOperation.Append, entries, null, default, 0, companion);

    public static WriteRequest Execute(Func<SqliteConnection, long> work) => new(WriteOperation.Execute, null, null, default, 0, work: work);

    public static WriteRequest Acknowledge(string upstream, RecordKind kind, long throughSeq) => new(WriteOperation.Acknowledge, null, upstream, kind, throughSeq);

    public static WriteRequest SetMaxPageCount(long pages) => new(WriteOperation.SetMaxPageCount, null, null, default, pages);
}
