namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>What a <see cref="WriteRequest"/> asks the writer thread to do.</summary>
internal enum WriteOperation
{
    Append,
    Delete,

    /// <summary>Sets <c>PRAGMA max_page_count</c> on the writer connection (tests simulate a full disk with it).</summary>
    SetMaxPageCount,
}

/// <summary>
/// One caller's write, queued for the single writer thread, which commits several requests in one transaction
/// (group commit) and completes each only after that transaction is durable.
/// </summary>
internal sealed class WriteRequest
{
    private WriteRequest(WriteOperation operation, IReadOnlyList<BufferEntry>? entries, RecordKind kind, long argument)
    {
        Operation = operation;
        Entries = entries;
        Kind = kind;
        Argument = argument;
    }

    public WriteOperation Operation { get; }

    public IReadOnlyList<BufferEntry>? Entries { get; }

    public RecordKind Kind { get; }

    /// <summary>Delete: the highest seq to delete. SetMaxPageCount: the page count.</summary>
    public long Argument { get; }

    /// <summary>Set by the writer inside the transaction; handed to <see cref="Completion"/> once committed.</summary>
    public long Result { get; set; }

    /// <summary>Append: first seq. Delete: records deleted. Continuations never run on the writer thread.</summary>
    public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static WriteRequest Append(IReadOnlyList<BufferEntry> entries) => new(WriteOperation.Append, entries, default, 0);

    public static WriteRequest Delete(RecordKind kind, long throughSeq) => new(WriteOperation.Delete, null, kind, throughSeq);

    public static WriteRequest SetMaxPageCount(long pages) => new(WriteOperation.SetMaxPageCount, null, default, pages);
}
