using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>The writer thread: group commit, seq assignment, eviction, the disk budget and the published statistics.</summary>
public sealed partial class SqliteDurableBuffer
{
    // Eviction frees whole b-tree pages only when all their rows are gone, so it deletes the oldest rows in growing
    // chunks until usage is a little below the cap (hysteresis: not every later commit has to evict again).
    private const int FirstEvictionChunk = 256;
    private const int MaxEvictionChunk = 65_536;

    // State owned by the writer thread (read by others only through _statistics).
    private long _lastSeq;
    private long _telemetryCount;
    private long _alarmCount;
    private long? _oldestTelemetryMs;
    private long? _oldestAlarmMs;
    private long _pageCount;
    private long _freePages;
    private long _droppedTelemetry;
    private long _lastAlarmCapWarning;
    private bool _hasWarnedAlarmCap;
    private long _commitCount;

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
        Exception? failure = TryCommit(CollectionsMarshal.AsSpan(group));
        if (failure is null)
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
        long nextSeq = _lastSeq + 1;
        long telemetryCount = _telemetryCount;
        long alarmCount = _alarmCount;
        long? oldestTelemetry = _oldestTelemetryMs;
        long? oldestAlarm = _oldestAlarmMs;
        long committedAt = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        bool appended = false;
        long evicted = 0;
        long pageCount;
        long freePages;
        bool telemetryShrank = false;
        bool alarmsShrank = false;
        string operation = "write";
        try
        {
            _begin.ExecuteNonQuery();
            foreach (WriteRequest request in requests)
            {
                switch (request.Operation)
                {
                    case WriteOperation.Append:
                        operation = "append";
                        request.Result = nextSeq;
                        IReadOnlyList<BufferEntry> entries = request.Entries!;
                        for (int i = 0; i < entries.Count; i++)
                        {
                            BufferEntry entry = entries[i];
                            _insert[(int)entry.Kind]!.Execute(nextSeq, entry.DeviceId, entry.Body, committedAt);
                            nextSeq++;
                            if (entry.Kind == RecordKind.Alarm)
                            {
                                alarmCount++;
                                oldestAlarm ??= committedAt;
                            }
                            else
                            {
                                telemetryCount++;
                                oldestTelemetry ??= committedAt;
                            }
                        }

                        appended = true;
                        break;

                    case WriteOperation.Delete:
                        operation = "delete";
                        int d = (int)request.Kind;
                        _deleteThrough[d].Value = request.Argument;
                        int deleted = _delete[d].ExecuteNonQuery();
                        request.Result = deleted;
                        if (request.Kind == RecordKind.Alarm)
                        {
                            alarmCount -= deleted;
                            alarmsShrank |= deleted > 0;
                        }
                        else
                        {
                            telemetryCount -= deleted;
                            telemetryShrank |= deleted > 0;
                        }

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

            if (appended)
            {
                _lastSeqValue.Value = nextSeq - 1;
                _updateLastSeq.ExecuteNonQuery();
            }

            (pageCount, freePages) = QueryPages();
            if ((pageCount - freePages) * _pageSize >= _budget.DataBytes)
            {
                evicted = EvictOldestTelemetry(ref pageCount, ref freePages, ref telemetryCount);
                telemetryShrank |= evicted > 0;
            }

            if (_incrementalVacuum && pageCount > _budget.DataPages && freePages > 0)
            {
                // This commit grew the file past the records' share (eviction only frees pages inside it): give the
                // excess back in the same transaction, so the file the checkpoint writes never exceeds the share.
                TrimToBudget(pageCount, freePages);
                (pageCount, freePages) = QueryPages();
            }

            if (telemetryShrank)
            {
                oldestTelemetry = QueryOldestCommittedAt(RecordKind.Telemetry);
            }

            if (alarmsShrank)
            {
                oldestAlarm = QueryOldestCommittedAt(RecordKind.Alarm);
            }

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

        // Committed and durable: publish the new state, then release the callers and wake the forwarder.
        _lastSeq = nextSeq - 1;
        _telemetryCount = telemetryCount;
        _alarmCount = alarmCount;
        _oldestTelemetryMs = oldestTelemetry;
        _oldestAlarmMs = oldestAlarm;
        _pageCount = pageCount;
        _freePages = freePages;
        _droppedTelemetry += evicted;
        MeasureFilesKeepingWalInBudget();
        if (telemetryShrank || alarmsShrank)
        {
            // Only deletes and evictions free pages, so only they can make giving space back worthwhile. Once
            // started, the steps go on until no free page is left (appends meanwhile reuse free pages first).
            SetReclaimDue(_reclaimDue || ShouldReclaim());
        }

        _statistics = CreateStatistics();
        Interlocked.Increment(ref _commitCount);

        // Report before releasing the callers, so that whoever appended sees the warning already logged.
        if (evicted > 0)
        {
            _evictionReporter.Record(evicted);
        }

        if (UsedBytes >= _budget.DataBytes && telemetryCount == 0)
        {
            WarnAlarmsOverCap(UsedBytes, alarmCount);
        }

        foreach (WriteRequest request in requests)
        {
            request.Completion.TrySetResult(request.Result);
        }

        if (appended)
        {
            Interlocked.Exchange(ref _recordsAppended, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }

        return null;
    }

    /// <summary>
    /// Deletes the oldest telemetry until the records' pages are below the low-water mark of their share of
    /// max_disk, or no telemetry is left. Alarms are never touched.
    /// </summary>
    private long EvictOldestTelemetry(ref long pageCount, ref long freePages, ref long telemetryCount)
    {
        long lowWater = _budget.DataBytes - Math.Max(_budget.DataBytes / 50, 4 * _pageSize);
        long evicted = 0;
        int chunk = FirstEvictionChunk;
        while ((pageCount - freePages) * _pageSize > lowWater && telemetryCount > 0)
        {
            _evictCount.Value = chunk;
            int deleted = _evictTelemetry.ExecuteNonQuery();
            if (deleted == 0)
            {
                break;
            }

            evicted += deleted;
            telemetryCount -= deleted;
            (pageCount, freePages) = QueryPages();
            chunk = Math.Min(chunk * 2, MaxEvictionChunk);
        }

        return evicted;
    }

    private void WarnAlarmsOverCap(long usedBytes, long alarmCount)
    {
        if (_hasWarnedAlarmCap && _timeProvider.GetElapsedTime(_lastAlarmCapWarning) < EvictionReporter.Interval)
        {
            return;
        }

        _hasWarnedAlarmCap = true;
        _lastAlarmCapWarning = _timeProvider.GetTimestamp();
        Log.AlarmsExceedCap(_logger, usedBytes, _budget.DataBytes, _options.MaxDiskBytes, alarmCount);
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
}
