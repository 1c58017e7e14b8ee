using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Gateway.Audit;

namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// <see cref="IDurableBuffer"/> on an embedded SQLite database in WAL mode with <c>synchronous=FULL</c>, so a
/// committed record survives a process kill and a power cut. Its files on disk (database, WAL, shared-memory index)
/// stay inside <see cref="BufferOptions.MaxDiskBytes"/> (see <see cref="BufferDiskBudget"/>), and space freed by a
/// drain is given back to the file system.
/// </summary>
/// <remarks>
/// Writes (appends, deletes) go through one writer thread that owns the only writing connection. It takes every
/// request queued while the previous commit was running and commits them in ONE transaction (group commit): the
/// fsync cost is shared by all concurrent producers, yet each caller's task completes only after the commit that
/// holds its records. Reads use a second connection, which WAL lets run beside the writer. Statistics are kept
/// by the writer and published as an immutable snapshot after each commit, so <see cref="GetStatistics"/> costs a
/// field read. Maintenance (giving free pages back in small incremental-vacuum steps) runs on the writer thread
/// only while no write is queued.
/// </remarks>
internal sealed partial class SqliteDurableBuffer : IDurableBuffer
{
    private readonly BufferOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly string _databasePath;
    private readonly EvictionReporter _evictionReporter;

    // Queue of the writer thread. Unbounded on purpose: every producer awaits its own request, so the queue holds
    // at most one request per concurrent producer (and the few the forwarder's deletes add).
    private readonly object _gate = new();
    private List<WriteRequest> _pending = new();
    private bool _stopping;
    private readonly Thread _writerThread;
    private readonly TaskCompletionSource _writerExited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly Lock _readLock = new();
    private volatile BufferStatistics _statistics;
    private TaskCompletionSource _recordsAppended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    /// <summary>Opens (or creates) the buffer database under <see cref="BufferOptions.DataDirectory"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="BufferStorageException">The database cannot be opened; the message says what to do.</exception>
    public SqliteDurableBuffer(BufferOptions options, ILogger<SqliteDurableBuffer> logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.ThrowIfInvalid();

        _options = options;
        _logger = logger;
        _timeProvider = timeProvider;
        _databasePath = Path.GetFullPath(options.DatabasePath);
        _evictionReporter = new EvictionReporter(logger, timeProvider, options.MaxDiskBytes);

        Open();
        LoadLastEvictedSeq();
        HoldReserveAtOpen();
        // A file that is mostly free (drained before the last stop, or just converted) is given back once the writer is idle.
        SetReclaimDue(ShouldReclaim());
        _statistics = CreateStatistics();
        Log.Opened(_logger, _databasePath, _telemetryCount, _alarmCount, _auditCount, _lastSeq, UsedBytes, _files.TotalBytes, _options.MaxDiskBytes, _budget.DataBytes, _budget.WalBytes);

        _writerThread = new Thread(WriterLoop) { IsBackground = true, Name = "buffer-writer" };
        _writerThread.Start();
    }

    /// <summary>Full path of the database file.</summary>
    public string DatabasePath => _databasePath;

    /// <inheritdoc />
    /// <remarks>
    /// <paramref name="entries"/> (and the frame bodies they point to) must not change until the returned task
    /// completes. Cancellation is honoured until the request is queued; after that the commit is awaited to its end so
    /// the caller always learns whether its records are durable (on shutdown in-flight readings are committed, not
    /// abandoned).
    /// </remarks>
    /// <exception cref="BufferStorageException">The commit failed (disk full, I/O error, damaged file); none of the entries was committed.</exception>
    public ValueTask<long> AppendAsync(IReadOnlyList<BufferEntry> entries, CancellationToken cancellationToken) =>
        Append(entries, null, cancellationToken);

    /// <summary>
    /// <see cref="AppendAsync(IReadOnlyList{BufferEntry}, CancellationToken)"/>, with <paramref name="companion"/> run in
    /// the same transaction after the entries were inserted (given the first seq): what it writes commits together with
    /// the records, or neither does. It runs on the writer thread and may run more than once (see <see cref="WriteRequest.Companion"/>).
    /// </summary>
    /// <exception cref="BufferStorageException">The commit failed; nothing was committed.</exception>
    internal ValueTask<long> AppendAsync(IReadOnlyList<BufferEntry> entries, Action<SqliteConnection, long> companion, CancellationToken cancellationToken) =>
        Append(entries, companion ?? throw new ArgumentNullException(nameof(companion)), cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> on the writer connection in a transaction of its own (possibly shared with other
    /// requests by group commit); completes once it committed. For the tables that live beside the records
    /// (<c>alarm_state</c>, <c>webhook_outbox</c>): SQLite has one writer, and this is it.
    /// </summary>
    /// <exception cref="BufferStorageException">The commit failed; nothing <paramref name="work"/> did was committed.</exception>
    internal ValueTask<long> ExecuteAsync(Func<SqliteConnection, long> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        cancellationToken.ThrowIfCancellationRequested();
        WriteRequest request = WriteRequest.Execute(work);
        Enqueue(request);
        return new ValueTask<long>(request.Completion.Task);
    }

    /// <summary>Runs a read-only query on the reader connection (WAL: it sees every committed transaction, never blocks the writer).</summary>
    /// <exception cref="BufferStorageException">The read failed.</exception>
    internal T Query<T>(Func<SqliteConnection, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        lock (_readLock)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            try
            {
                return read(_reader!);
            }
            catch (SqliteException ex)
            {
                throw SqliteErrorMapping.ToStorageException(ex, _databasePath, "read");
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>A frame whose tag table is missing or damaged cannot be rendered: it is reported once and left out.</remarks>
    public ValueTask<IReadOnlyList<BufferedFrame>> ReadFramesAsync(long afterSeq, int maxReadings, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxReadings);
        cancellationToken.ThrowIfCancellationRequested();
        var frames = new List<BufferedFrame>((int)Math.Clamp(_statistics.TelemetryFrames, 0, 256));
        Read(static (buffer, after, max, list) => buffer.ReadFrames(after, max, list), afterSeq, maxReadings, frames);
        return new ValueTask<IReadOnlyList<BufferedFrame>>(frames);
    }

    /// <inheritdoc />
    /// <remarks>A damaged alarm record is reported once and left out.</remarks>
    public ValueTask<IReadOnlyList<BufferedAlarm>> ReadAlarmsAsync(long afterSeq, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        var alarms = new List<BufferedAlarm>((int)Math.Clamp(_statistics.AlarmCount, 0, maxCount));
        Read(static (buffer, after, max, list) => buffer.ReadAlarms(after, max, list), afterSeq, maxCount, alarms);
        return new ValueTask<IReadOnlyList<BufferedAlarm>>(alarms);
    }

    /// <inheritdoc />
    /// <remarks>A damaged audit record is reported once and left out.</remarks>
    public ValueTask<IReadOnlyList<AuditRecord>> ReadAuditAsync(long afterSeq, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        var records = new List<AuditRecord>((int)Math.Clamp(_statistics.AuditCount, 0, maxCount));
        Read(static (buffer, after, max, list) => buffer.ReadAudit(after, max, list), afterSeq, maxCount, records);
        return new ValueTask<IReadOnlyList<AuditRecord>>(records);
    }

    /// <inheritdoc />
    public UpstreamCursor GetCursor(string upstream) =>
        _cursorSnapshot.TryGetValue(upstream, out UpstreamCursor cursor)
            ? cursor
            : throw new ArgumentException($"'{upstream}' is not an upstream of this buffer ({string.Join(", ", _options.Upstreams)})", nameof(upstream));

    /// <inheritdoc />
    /// <exception cref="BufferStorageException">The cursor could not be committed; the records are still there.</exception>
    public ValueTask AcknowledgeAsync(string upstream, RecordKind kind, long throughSeq, CancellationToken cancellationToken)
    {
        ValidateKind(kind);
        GetCursor(upstream);
        cancellationToken.ThrowIfCancellationRequested();
        WriteRequest request = WriteRequest.Acknowledge(upstream, kind, throughSeq);
        Enqueue(request);
        return new ValueTask(request.Completion.Task);
    }

    /// <inheritdoc />
    public ValueTask WaitForRecordsAsync(UpstreamCursor after, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        // Read the signal before the positions: the writer publishes statistics before it completes the signal, so
        // either we see the new records or we await a signal that is (or will be) completed for them.
        TaskCompletionSource signal = Volatile.Read(ref _recordsAppended);
        BufferStatistics statistics = _statistics;
        foreach (RecordKind kind in RecordKinds.All)
        {
            if (statistics.LastSeqOf(kind) > after.Of(kind))
            {
                return ValueTask.CompletedTask;
            }
        }

        return new ValueTask(signal.Task.WaitAsync(cancellationToken));
    }

    /// <inheritdoc />
    public BufferStatistics GetStatistics() => _statistics;

    /// <summary>
    /// Limits the database to <paramref name="pages"/> pages (<c>PRAGMA max_page_count</c>, per connection), which
    /// makes SQLite fail with a real SQLITE_FULL when more are needed. Tests use it to simulate a full disk.
    /// </summary>
    internal async ValueTask<long> SetMaxPageCountAsync(long pages)
    {
        WriteRequest request = WriteRequest.SetMaxPageCount(pages);
        Enqueue(request);
        return await request.Completion.Task.ConfigureAwait(false);
    }

    /// <summary>Commits what is queued, then closes the database.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }

        // The writer drains the queue before it exits, so appends accepted before disposal are committed.
        await _writerExited.Task.ConfigureAwait(false);
        lock (_readLock)
        {
            CloseDatabase();
        }

        ReleaseLockFile();
        _evictionReporter.Dispose();
        Volatile.Read(ref _recordsAppended).TrySetException(new ObjectDisposedException(nameof(SqliteDurableBuffer)));
    }

    private ValueTask<long> Append(IReadOnlyList<BufferEntry> entries, Action<SqliteConnection, long>? companion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            throw new ArgumentException("At least one entry is needed; an empty append gets no seq.", nameof(entries));
        }

        for (int i = 0; i < entries.Count; i++)
        {
            ValidateEntry(entries[i], i);
        }

        cancellationToken.ThrowIfCancellationRequested();
        WriteRequest request = WriteRequest.Append(entries, companion);
        Enqueue(request);
        return new ValueTask<long>(request.Completion.Task);
    }

    private void Enqueue(WriteRequest request)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            _pending.Add(request);
            Monitor.Pulse(_gate);
        }
    }

    private void Read<T>(Action<SqliteDurableBuffer, long, int, List<T>> read, long afterSeq, int max, List<T> into)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        lock (_readLock)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            try
            {
                read(this, afterSeq, max, into);
            }
            catch (SqliteException ex)
            {
                throw SqliteErrorMapping.ToStorageException(ex, _databasePath, "read");
            }
        }
    }

    private BufferStatistics CreateStatistics()
    {
        long? oldestMs = null;
        foreach (long? committedAt in (ReadOnlySpan<long?>)[_oldestTelemetryMs, _oldestAlarmMs, _oldestAuditMs])
        {
            if (committedAt is long ms && (oldestMs is null || ms < oldestMs))
            {
                oldestMs = ms;
            }
        }

        DateTimeOffset? oldest = oldestMs is long at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null;
        return new BufferStatistics(_telemetryCount, _alarmCount, UsedBytes, oldest, _droppedTelemetry, _lastSeq, _files.TotalBytes, _budget.DataBytes)
        {
            TelemetryFrames = _telemetryFrames,
            LastTelemetrySeq = _lastTelemetrySeq,
            LastAlarmSeq = _lastAlarmSeq,
            AuditCount = _auditCount,
            LastAuditSeq = _lastAuditSeq,
            LastEvictedSeq = _lastEvictedSeq,
            DiskFull = _diskFull,
            DiskReserveBytes = _reserve is { IsHeld: true } reserve ? reserve.Bytes : 0,
        };
    }

    private static void ValidateEntry(in BufferEntry entry, int index)
    {
        bool valid = entry.Kind switch
        {
            RecordKind.Telemetry => entry.Table is not null && !entry.Body.IsEmpty && entry.Readings > 0,
            RecordKind.Alarm => entry.Alarm is not null && entry.Readings == 1,
            RecordKind.Audit => entry.Audit is not null && entry.Readings == 1,
            _ => false,
        };
        if (!valid)
        {
            throw new ArgumentException($"entries[{index}] is neither a frame with a tag table, a body and readings nor an alarm or audit record", "entries");
        }
    }

    private static void ValidateKind(RecordKind kind)
    {
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a record kind");
        }
    }
}
