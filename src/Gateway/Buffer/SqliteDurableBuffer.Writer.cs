using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using SmartCity.Edge.Gateway.Buffer.Storage;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>The writer thread: group commit, seq assignment, eviction, the disk budget and the published statistics.</summary>
internal sealed partial class SqliteDurableBuffer
{
    // Eviction frees whole b-tree pages only when all their rows are gone, so it deletes the oldest rows in growing
    // chunks until usage is a little below the cap (hysteresis: not every later commit has to evict again).
    private const int FirstEvictionChunk = 256;
    private const int MaxEvictionChunk = 65_536;

    // State owned by the writer thread (read by others only through _statistics and _cursorSnapshot).
    private long _lastSeq;
    private long _persistedLastSeq;
    private long _lastTelemetrySeq;
    private long _lastAlarmSeq;
    private long _lastAuditSeq;
    private long _telemetryCount;
    private long _telemetryFrames;
    private long _alarmCount;
    private long _auditCount;
    private long? _oldestTelemetryMs;
    private long? _oldestAlarmMs;
    private long? _oldestAuditMs;
    private long _pageCount;
    private long _freePages;
    private long _droppedTelemetry;
    private long _lastAlarmCapWarning;
    private bool _hasWarnedAlarmCap;
    private long _commitCount;

    /// <summary>Row id of each tag table stored (by content): a frame refers to its table's row.</summary>
    private readonly Dictionary<TagTable, long> _tagTableIds = [];

    /// <summary>Tables stored by the transaction in progress: known to <see cref="_tagTableIds"/> only once it commits.</summary>
    private readonly Dictionary<TagTable, long> _newTagTableIds = [];

    /// <summary>The cursor of each configured upstream (writer-owned); <see cref="_cursorSnapshot"/> is what others read.</summary>
    private readonly Dictionary<string, UpstreamCursor> _cursors = new(StringComparer.Ordinal);
    private volatile Dictionary<string, UpstreamCursor> _cursorSnapshot = new(StringComparer.Ordinal);

    /// <summary>Transactions committed since open; fewer than the requests made when group commit coalesced them.</summary>
    internal long CommitCount => Interlocked.Read(ref _commitCount);

    /// <summary>Bytes the records take: pages in use × page size.</summary>
    private long UsedBytes => (_pageCount - _freePages) * _pageSize;

    private void WriterLoop()
    {
        var group = new List<WriteRequest>();
        while (true)
        {
            bool reclaim = false;
            lock (_gate)
            {
                // _reclaimDue is the writer's own state; a due maintenance step runs only when no request waits.
                while (_pending.Count == 0 && !_stopping && !_reclaimDue)
                {
                    Monitor.Wait(_gate);
                }

                if (_pending.Count == 0)
                {
                    if (_stopping)
                    {
                        break; // stopping, and everything queued before has been committed
                    }

                    reclaim = true;
                }
                else
                {
                    (group, _pending) = (_pending, group);
                }
            }

            if (reclaim)
            {
                RunReclaimStep();
                continue;
            }

            ExecuteGroup(group);
            group.Clear();
        }

        SetReclaimDue(false);

        _writerExited.TrySetResult();
    }

    private void ExecuteGroup(List<WriteRequest> group)
    {
        HoldBackTelemetryWhileFull(group);
        if (group.Count == 0)
        {
            return;
        }

        Exception? failure = TryCommit(CollectionsMarshal.AsSpan(group));
        if (failure is null)
        {
            return;
        }

        if (ReleaseReserveAfterDiskFull(group, failure))
        {
            // The volume just got the reserve's room back: what is not telemetry goes into it now.
            failure = TryCommit(CollectionsMarshal.AsSpan(group));
            if (failure is null)
            {
                return;
            }
        }

        if (group.Count == 0)
        {
            return;
        }

        if (group.Count == 1)
        {
            group[0].Completion.TrySetException(failure);
            return;
        }

        // One request's failure must not fail its neighbours (an oversized batch hitting the disk limit, say):
        // retry each on its own, so each caller learns its own outcome.
        Log.GroupCommitRetry(_logger, group.Count);
        foreach (WriteRequest request in group)
        {
            Exception? single = TryCommit(new ReadOnlySpan<WriteRequest>(in request));
            if (single is not null)
            {
                request.Completion.TrySetException(single);
            }
        }
    }

    /// <summary>Commits <paramref name="requests"/> in one transaction and completes them, or rolls back and returns the error (completing none).</summary>
    private Exception? TryCommit(ReadOnlySpan<WriteRequest> requests)
    {
        var state = new TransactionState(this);
        long committedAt = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        Dictionary<string, UpstreamCursor>? cursors = null;
        bool appended = false;
        long evicted = 0;
        string operation = "write";
        _newTagTableIds.Clear();
        try
        {
            _begin.ExecuteNonQuery();
            foreach (WriteRequest request in requests)
            {
                switch (request.Operation)
                {
                    case WriteOperation.Append:
                        operation = "append";
                        request.Result = state.NextSeq;
                        IReadOnlyList<BufferEntry> entries = request.Entries!;
                        for (int i = 0; i < entries.Count; i++)
                        {
                            Insert(entries[i], ref state, committedAt);
                        }

                        request.Companion?.Invoke(_writer!, request.Result);
                        appended = true;
                        break;

                    case WriteOperation.Execute:
                        operation = "write";
                        request.Result = request.Work!(_writer!);
                        break;

                    case WriteOperation.Acknowledge:
                        operation = "delete";
                        cursors ??= new Dictionary<string, UpstreamCursor>(_cursors, StringComparer.Ordinal);
                        request.Result = Acknowledge(request.Upstream!, request.Kind, request.Argument, cursors, ref state);
                        break;

                    case WriteOperation.SetMaxPageCount:
                        using (SqliteCommand pragma = _writer!.CreateCommand())
                        {
                            pragma.CommandText = $"PRAGMA max_page_count={request.Argument};";
                            request.Result = Convert.ToInt64(pragma.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
                        }

                        break;

                    default:
                        throw new InvalidOperationException($"unknown write operation {request.Operation}");
                }
            }

            (state.PageCount, state.FreePages) = QueryPages();
            if ((state.PageCount - state.FreePages) * _pageSize >= _budget.DataBytes)
            {
                evicted = EvictOldestTelemetry(ref state, (cursors ?? _cursors).Values);
            }

            if (state.TelemetryShrank || state.AlarmsShrank || state.AuditShrank)
            {
                // Records are about to be gone: the high-water mark must survive them (appends alone need no update,
                // the rows they add say where seqs stand).
                PersistLastSeq(ref state);
            }

            if (_incrementalVacuum && state.PageCount > _budget.DataPages && state.FreePages > 0)
            {
                // This commit grew the file past the records' share (eviction only frees pages inside it): give the
                // excess back in the same transaction, so the file the checkpoint writes never exceeds the share.
                TrimToBudget(state.PageCount, state.FreePages);
                (state.PageCount, state.FreePages) = QueryPages();
            }

            if (state.TelemetryShrank)
            {
                state.OldestTelemetry = QueryOldestCommittedAt(RecordKind.Telemetry);
            }

            if (state.AlarmsShrank)
            {
                state.OldestAlarm = QueryOldestCommittedAt(RecordKind.Alarm);
            }

            if (state.AuditShrank)
            {
                state.OldestAudit = QueryOldestCommittedAt(RecordKind.Audit);
            }

            // Inside the transaction, so a mark that cannot be written fails (and rolls back) this commit.
            CoverBySeqMark(state.NextSeq - 1);
            _commit.ExecuteNonQuery();
        }
        catch (SqliteException ex)
        {
            RollbackAfterFailure();
            return SqliteErrorMapping.ToStorageException(ex, _databasePath, operation);
        }
        catch (Exception ex)
        {
            RollbackAfterFailure();
            return ex;
        }

        // Committed and durable: publish the new state, then release the callers and wake the forwarders.
        foreach (KeyValuePair<TagTable, long> stored in _newTagTableIds)
        {
            _tagTableIds[stored.Key] = stored.Value;
        }

        if (cursors is not null)
        {
            foreach (KeyValuePair<string, UpstreamCursor> cursor in cursors)
            {
                _cursors[cursor.Key] = cursor.Value;
            }

            _cursorSnapshot = cursors;
        }

        _lastSeq = state.NextSeq - 1;
        _persistedLastSeq = state.PersistedLastSeq;
        _lastTelemetrySeq = state.LastTelemetrySeq;
        _lastAlarmSeq = state.LastAlarmSeq;
        _lastAuditSeq = state.LastAuditSeq;
        _telemetryCount = state.TelemetryCount;
        _telemetryFrames = state.TelemetryFrames;
        _alarmCount = state.AlarmCount;
        _auditCount = state.AuditCount;
        _oldestTelemetryMs = state.OldestTelemetry;
        _oldestAlarmMs = state.OldestAlarm;
        _oldestAuditMs = state.OldestAudit;
        _pageCount = state.PageCount;
        _freePages = state.FreePages;
        _droppedTelemetry += evicted;
        _lastEvictedSeq = state.LastEvictedSeq;
        MeasureFilesKeepingWalInBudget();
        if (state.TelemetryShrank || state.AlarmsShrank || state.AuditShrank)
        {
            // Only deletes and evictions free pages, so only they can make giving space back worthwhile. Once
            // started, the steps go on until no free page is left (appends meanwhile reuse free pages first).
            SetReclaimDue(_reclaimDue || ShouldReclaim());
        }

        if (_diskFull && ContainsTelemetryAppend(requests))
        {
            LeaveDiskFullAfterTelemetryCommit();
        }

        _statistics = CreateStatistics();
        Interlocked.Increment(ref _commitCount);

        // Report before releasing the callers, so that whoever appended sees the warning already logged.
        if (evicted > 0)
        {
            _evictionReporter.Record(evicted);
        }

        if (UsedBytes >= _budget.DataBytes && _telemetryCount == 0)
        {
            WarnAlarmsOverCap(UsedBytes, _alarmCount, _auditCount);
        }

        // Wake the forwarders before the callers: a caller that waits for records next must get the new signal.
        if (appended)
        {
            Interlocked.Exchange(ref _recordsAppended, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }

        foreach (WriteRequest request in requests)
        {
            request.Completion.TrySetResult(request.Result);
        }

        return null;
    }

    private void Insert(in BufferEntry entry, ref TransactionState state, long committedAt)
    {
        long seq = state.NextSeq;
        if (entry.Kind == RecordKind.Alarm)
        {
            AlarmRecord record = entry.Alarm!;
            _alarmSeq.Value = seq;
            _alarmDevice.Value = record.DeviceId;
            _alarmBody.Value = AlarmRecordCodec.Encode(record);
            _alarmCommittedAt.Value = committedAt;
            _insertAlarm.ExecuteNonQuery();
            state.AlarmCount++;
            state.LastAlarmSeq = seq;
            state.OldestAlarm ??= committedAt;
        }
        else if (entry.Kind == RecordKind.Audit)
        {
            _auditSeq.Value = seq;
            _auditBody.Value = AuditRecordCodec.Encode(entry.Audit!);
            _auditCommittedAt.Value = committedAt;
            _insertAudit.ExecuteNonQuery();
            state.AuditCount++;
            state.LastAuditSeq = seq;
            state.OldestAudit ??= committedAt;
        }
        else
        {
            _insertFrame!.Execute(seq, entry.Readings, TagTableId(entry.Table!), entry.Body.Span, committedAt);
            state.TelemetryCount += entry.Readings;
            state.TelemetryFrames++;
            state.LastTelemetrySeq = seq + entry.Readings - 1;
            state.OldestTelemetry ??= committedAt;
        }

        state.NextSeq = seq + entry.Readings;
    }

    /// <summary>The row of a tag table, stored inside the transaction in progress the first time it is met.</summary>
    private long TagTableId(TagTable table)
    {
        if (_tagTableIds.TryGetValue(table, out long id) || _newTagTableIds.TryGetValue(table, out id))
        {
            return id;
        }

        _tagTableDevice.Value = table.DeviceId;
        _tagTableTags.Value = TagTableCodec.Encode(table);
        id = (long)_insertTagTable.ExecuteScalar()!;
        _newTagTableIds.Add(table, id);
        return id;
    }

    /// <summary>
    /// Moves <paramref name="upstream"/>'s cursor of <paramref name="kind"/> to <paramref name="throughSeq"/> (never back),
    /// persists it, and deletes what every upstream now has. Returns the records deleted.
    /// </summary>
    private long Acknowledge(string upstream, RecordKind kind, long throughSeq, Dictionary<string, UpstreamCursor> cursors, ref TransactionState state)
    {
        if (!cursors.TryGetValue(upstream, out UpstreamCursor cursor))
        {
            throw new ArgumentException($"'{upstream}' is not an upstream of this buffer ({string.Join(", ", cursors.Keys)})", nameof(upstream));
        }

        long through = Math.Min(throughSeq, state.NextSeq - 1);
        if (through <= cursor.Of(kind))
        {
            return 0;
        }

        cursors[upstream] = cursor.With(kind, through);
        _metaKey.Value = RecordKinds.CursorKey(upstream, kind);
        _metaValue.Value = through;
        _upsertMeta.ExecuteNonQuery();

        long everyone = cursors.Values.Min(c => c.Of(kind));
        (long rows, long records) = DeleteThrough(kind, everyone);
        if (kind == RecordKind.Telemetry && state.LastEvictedSeq > 0)
        {
            // The eviction ranges every upstream is past: each has sent its notice of them.
            DeleteNoticedEvictions(_writer!, everyone);
            if (everyone >= state.LastEvictedSeq)
            {
                state.LastEvictedSeq = 0;
            }
        }

        if (kind == RecordKind.Alarm)
        {
            state.AlarmCount -= records;
            state.AlarmsShrank |= rows > 0;
        }
        else if (kind == RecordKind.Audit)
        {
            state.AuditCount -= records;
            state.AuditShrank |= rows > 0;
        }
        else
        {
            state.TelemetryCount -= records;
            state.TelemetryFrames -= rows;
            state.TelemetryShrank |= rows > 0;
        }

        return records;
    }

    /// <summary>Deletes the records of <paramref name="kind"/> every configured upstream has (at open). Inside the caller's transaction.</summary>
    private bool DeleteAcknowledged(RecordKind kind) => _cursors.Count > 0 && DeleteThrough(kind, _cursors.Values.Min(c => c.Of(kind))).Rows > 0;

    /// <summary>Deletes the records of <paramref name="kind"/> through <paramref name="through"/>; returns (rows, records: readings for frames).</summary>
    private (long Rows, long Records) DeleteThrough(RecordKind kind, long through)
    {
        int k = (int)kind;
        _countThroughSeq[k].Value = through;
        long rows;
        long records;
        using (SqliteDataReader reader = _countThrough[k].ExecuteReader())
        {
            reader.Read();
            rows = reader.GetInt64(0);
            records = reader.GetInt64(1);
        }

        if (rows > 0)
        {
            _deleteThroughSeq[k].Value = through;
            _deleteThrough[k].ExecuteNonQuery();
        }

        return (rows, records);
    }

    private void PersistLastSeq(ref TransactionState state)
    {
        long lastSeq = state.NextSeq - 1;
        if (lastSeq > state.PersistedLastSeq)
        {
            _lastSeqValue.Value = lastSeq;
            _updateLastSeq.ExecuteNonQuery();
            state.PersistedLastSeq = lastSeq;
        }
    }

    /// <summary>
    /// Deletes the oldest frames until the records' pages are below the low-water mark of their share of max_disk, or
    /// no telemetry is left. Alarm and audit records are never touched. Returns the readings evicted.
    /// </summary>
    private long EvictOldestTelemetry(ref TransactionState state, IEnumerable<UpstreamCursor> cursors)
    {
        long lowWater = _budget.DataBytes - Math.Max(_budget.DataBytes / 50, 4 * _pageSize);
        long evicted = 0;
        long fromSeq = 0;
        long toSeq = 0;
        int chunk = FirstEvictionChunk;
        while ((state.PageCount - state.FreePages) * _pageSize > lowWater && state.TelemetryFrames > 0)
        {
            _oldestFramesCount.Value = chunk;
            long through;
            using (SqliteDataReader reader = _oldestFrames.ExecuteReader())
            {
                reader.Read();
                through = reader.GetInt64(0);
            }

            if (fromSeq == 0)
            {
                fromSeq = QueryOldestFrameSeq();
            }

            long lastSeq = QueryLastSeqOfFramesThrough(through);
            (long rows, long readings) = DeleteThrough(RecordKind.Telemetry, through);
            if (rows == 0)
            {
                break;
            }

            toSeq = lastSeq;
            evicted += readings;
            state.TelemetryCount -= readings;
            state.TelemetryFrames -= rows;
            state.TelemetryShrank = true;
            (state.PageCount, state.FreePages) = QueryPages();
            chunk = Math.Min(chunk * 2, MaxEvictionChunk);
        }

        if (evicted > 0)
        {
            // In the same transaction as the eviction: a crash either keeps the frames or keeps the range of their notice.
            RecordEvictedRange(fromSeq, toSeq, evicted, cursors);
            state.LastEvictedSeq = Math.Max(state.LastEvictedSeq, toSeq);
        }

        return evicted;
    }

    private void WarnAlarmsOverCap(long usedBytes, long alarmCount, long auditCount)
    {
        if (_hasWarnedAlarmCap && _timeProvider.GetElapsedTime(_lastAlarmCapWarning) < EvictionReporter.Interval)
        {
            return;
        }

        _hasWarnedAlarmCap = true;
        _lastAlarmCapWarning = _timeProvider.GetTimestamp();
        Log.AlarmsExceedCap(_logger, usedBytes, _budget.DataBytes, _options.MaxDiskBytes, alarmCount, auditCount);
    }

    /// <summary>
    /// SQLite may already have rolled the transaction back itself (after SQLITE_FULL or SQLITE_IOERR, see
    /// https://sqlite.org/lang_transaction.html "Response To Errors Within A Transaction"); only roll back if one is open.
    /// </summary>
    private void RollbackAfterFailure()
    {
        try
        {
            if (_writer is not null && SQLitePCL.raw.sqlite3_get_autocommit(_writer.Handle) == 0)
            {
                _rollback.ExecuteNonQuery();
            }
        }
        catch (SqliteException)
        {
            // The connection is unusable (e.g. I/O error); the caller already gets the original error, and the
            // next request fails with its own.
        }
    }

    /// <summary>What a transaction changes, applied to the writer's state only once it committed.</summary>
    private struct TransactionState(SqliteDurableBuffer buffer)
    {
        public long NextSeq = buffer._lastSeq + 1;
        public long PersistedLastSeq = buffer._persistedLastSeq;
        public long LastTelemetrySeq = buffer._lastTelemetrySeq;
        public long LastAlarmSeq = buffer._lastAlarmSeq;
        public long LastAuditSeq = buffer._lastAuditSeq;
        public long TelemetryCount = buffer._telemetryCount;
        public long TelemetryFrames = buffer._telemetryFrames;
        public long AlarmCount = buffer._alarmCount;
        public long AuditCount = buffer._auditCount;
        public long? OldestTelemetry = buffer._oldestTelemetryMs;
        public long? OldestAlarm = buffer._oldestAlarmMs;
        public long? OldestAudit = buffer._oldestAuditMs;
        public long LastEvictedSeq = buffer._lastEvictedSeq;
        public long PageCount;
        public long FreePages;
        public bool TelemetryShrank;
        public bool AlarmsShrank;
        public bool AuditShrank;
    }
}
