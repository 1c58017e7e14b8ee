using System.Globalization;
using Microsoft.Data.Sqlite;

namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// Keeping the files inside <c>max_disk</c> and giving free space back: the WAL checkpoint that truncates an
/// oversized log, the incremental vacuum that shrinks the database after a drain, and the one-time conversion of an
/// older database to incremental auto-vacuum. All of it runs on the writer thread.
/// </summary>
internal sealed partial class SqliteDurableBuffer
{
    /// <summary><c>PRAGMA auto_vacuum</c> value of INCREMENTAL (https://sqlite.org/pragma.html#pragma_auto_vacuum).</summary>
    private const long IncrementalAutoVacuum = 2;

    /// <summary>
    /// Pages one maintenance step gives back (1 MiB at 4 KiB pages). Each step is its own short transaction and runs
    /// only while no write waits, so an append arriving meanwhile waits for at most one step.
    /// </summary>
    private const int ReclaimStepPages = 256;

    /// <summary>Free space worth giving back: at least this many pages (256 KiB at 4 KiB pages) …</summary>
    private const long MinReclaimPages = 64;

    /// <summary>… and at least this share of the records' budget, so a buffer that keeps cycling does not shrink and regrow all the time.</summary>
    private const long ReclaimBudgetDivisor = 32;

    // Writer-owned maintenance state.
    private bool _reclaimDue;
    private long _reclaimSteps;
    private long _diskBytesBeforeReclaim;
    private TaskCompletionSource _maintenanceIdle = CreateCompletedSignal();

    /// <summary>Incremental-vacuum steps run since open (tests check that a drain is given back in bounded steps).</summary>
    internal long ReclaimSteps => Interlocked.Read(ref _reclaimSteps);

    /// <summary>
    /// Completes when no maintenance step is due any more. Due-ness is decided inside the commit that freed the
    /// pages, before its caller is released, so awaiting this right after <see cref="DeleteThroughAsync"/> sees it.
    /// </summary>
    internal Task WhenMaintenanceIdleAsync() => Volatile.Read(ref _maintenanceIdle).Task;

    /// <summary>
    /// Worth giving space back: the database is mostly free (more than half of its pages) and the free pages are
    /// a noticeable amount (<see cref="MinReclaimPages"/>, 1/<see cref="ReclaimBudgetDivisor"/> of the records' budget).
    /// </summary>
    private bool ShouldReclaim() =>
        _incrementalVacuum
        && _freePages * 2 > _pageCount
        && _freePages >= Math.Max(MinReclaimPages, _budget.DataPages / ReclaimBudgetDivisor);

    private void SetReclaimDue(bool due)
    {
        if (due == _reclaimDue)
        {
            return;
        }

        _reclaimDue = due;
        if (due)
        {
            _diskBytesBeforeReclaim = _files.TotalBytes;
            Volatile.Write(ref _maintenanceIdle, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }
        else
        {
            Volatile.Read(ref _maintenanceIdle).TrySetResult();
        }
    }

    /// <summary>
    /// One step of giving free pages back (<c>PRAGMA incremental_vacuum</c>, in its own transaction). When no free
    /// page is left, the WAL is checkpointed and truncated so the database file really shrinks on disk now.
    /// </summary>
    private void RunReclaimStep()
    {
        long pageCount;
        long freePages;
        try
        {
            _begin.ExecuteNonQuery();
            _reclaimStep.ExecuteNonQuery();
            (pageCount, freePages) = QueryPages();
            _commit.ExecuteNonQuery();
        }
        catch (SqliteException ex)
        {
            RollbackAfterFailure();
            // Not retried until a later delete frees pages again: a failing disk must not make the writer spin.
            Log.MaintenanceFailed(_logger, "incremental vacuum", ex.Message);
            SetReclaimDue(false);
            return;
        }

        Interlocked.Increment(ref _reclaimSteps);
        _pageCount = pageCount;
        _freePages = freePages;
        if (freePages > 0)
        {
            MeasureFilesKeepingWalInBudget();
            _statistics = CreateStatistics();
            return;
        }

        // Done: copy the moved pages into the database now, so its file really shrinks, and empty the WAL.
        TruncateWal();
        _files.Measure();
        _statistics = CreateStatistics();
        Log.SpaceReclaimed(_logger, Math.Max(0, _diskBytesBeforeReclaim - _files.TotalBytes), _files.TotalBytes, _options.MaxDiskBytes);
        SetReclaimDue(false);
    }

    /// <summary>Gives back the pages the file has beyond the records' share, inside the writer's open transaction.</summary>
    private void TrimToBudget(long pageCount, long freePages)
    {
        long pages = Math.Min(freePages, pageCount - _budget.DataPages);
        using SqliteCommand trim = _writer!.CreateCommand();
        trim.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA incremental_vacuum({pages});");
        trim.ExecuteNonQuery();
    }

    /// <summary>
    /// While the volume is full, the WAL is emptied once it holds this much (a quarter of the disk reserve, at least
    /// 64 KiB): left to its normal checkpoint interval it would grow by megabytes and eat the reserve kept for alarms.
    /// </summary>
    private long DiskFullWalBytes => Math.Max(64L * 1024, _reserve.Bytes / 4);

    /// <summary>
    /// Measures the files after a commit. A WAL beyond its reserve (a transaction larger than half the reserve, or
    /// a checkpoint that a concurrent read kept from completing) is checkpointed and truncated at once.
    /// </summary>
    private void MeasureFilesKeepingWalInBudget()
    {
        _files.Measure();
        if (_files.WalBytes > _budget.WalBytes || (_diskFull && _files.WalBytes > DiskFullWalBytes))
        {
            TruncateWal();
            _files.Measure();
        }
    }

    /// <summary>
    /// Copies the whole WAL into the database and truncates it to zero bytes (<c>wal_checkpoint(TRUNCATE)</c>).
    /// Holding the read lock keeps this process's reader from pinning an old snapshot meanwhile, so it completes.
    /// A failure is logged, not thrown: the commit before it is durable either way.
    /// </summary>
    private void TruncateWal()
    {
        try
        {
            lock (_readLock)
            {
                _checkpointTruncate.ExecuteNonQuery();
            }
        }
        catch (SqliteException ex)
        {
            Log.MaintenanceFailed(_logger, "WAL checkpoint", ex.Message);
        }
    }

    /// <summary>
    /// A database created before auto-vacuum was used keeps its free pages for ever; switching needs one VACUUM,
    /// which rewrites every page in use into the WAL (and a temporary copy). That is done here only while the
    /// records fit in the WAL's reserve (the temporary copy is kept in memory), so the conversion itself stays
    /// inside max_disk and takes well under a second. A larger file is left as it is and converted at a later
    /// start, once it has drained.
    /// </summary>
    private void ConvertToIncrementalVacuum(SqliteConnection connection)
    {
        long pageCount = (long)Scalar(connection, "PRAGMA page_count;")!;
        long freePages = (long)Scalar(connection, "PRAGMA freelist_count;")!;
        long usedBytes = (pageCount - freePages) * _pageSize;
        long fileBytes = pageCount * _pageSize;
        if (usedBytes > _budget.WalBytes)
        {
            Log.AutoVacuumConversionDeferred(_logger, _databasePath, usedBytes, _budget.WalBytes);
            return;
        }

        try
        {
            Execute(connection, "PRAGMA temp_store=MEMORY;");
            Execute(connection, "VACUUM;");
            Execute(connection, "PRAGMA temp_store=DEFAULT;");
            Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
        }
        catch (SqliteException ex) when (!SqliteErrorMapping.IsCorruption(ex))
        {
            // The buffer works without it (eviction still keeps the records inside max_disk); try again next start.
            Log.MaintenanceFailed(_logger, "conversion to incremental auto-vacuum", ex.Message);
            return;
        }

        _incrementalVacuum = (long)Scalar(connection, "PRAGMA auto_vacuum;")! == IncrementalAutoVacuum;
        long newFileBytes = (long)Scalar(connection, "PRAGMA page_count;")! * _pageSize;
        Log.ConvertedToIncrementalVacuum(_logger, _databasePath, fileBytes, newFileBytes);
    }

    private static TaskCompletionSource CreateCompletedSignal()
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        signal.TrySetResult();
        return signal;
    }
}
