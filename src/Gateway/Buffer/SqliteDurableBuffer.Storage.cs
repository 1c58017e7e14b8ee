using System.Globalization;
using Microsoft.Data.Sqlite;

namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>Opening, recovery and the prepared statements.</summary>
public sealed partial class SqliteDurableBuffer
{
    private FileStream? _lockFile;
    private SqliteConnection? _writer;
    private SqliteConnection? _reader;
    private long _pageSize;
    private BufferDiskBudget _budget = null!;
    private BufferFiles _files = null!;

    // True when the database has auto_vacuum=INCREMENTAL, so free pages can be given back to the file system.
    private bool _incrementalVacuum;

    // Writer statements, prepared once and reused; index [(int)RecordKind].
    private SqliteCommand _begin = null!;
    private SqliteCommand _commit = null!;
    private SqliteCommand _rollback = null!;
    private SqliteCommand _pageCounts = null!;
    private SqliteCommand _reclaimStep = null!;
    private SqliteCommand _checkpointTruncate = null!;
    private SqliteCommand _updateLastSeq = null!;
    private SqliteParameter _lastSeqValue = null!;
    private SqliteCommand _evictTelemetry = null!;
    private SqliteParameter _evictCount = null!;
    private readonly SqliteRecordInsert?[] _insert = new SqliteRecordInsert?[2];
    private readonly SqliteCommand[] _delete = new SqliteCommand[2];
    private readonly SqliteParameter[] _deleteThrough = new SqliteParameter[2];
    private readonly SqliteCommand[] _oldestCommittedAt = new SqliteCommand[2];

    // Reader statements (guarded by _readLock).
    private readonly SqliteCommand[] _read = new SqliteCommand[2];
    private readonly SqliteParameter[] _readAfter = new SqliteParameter[2];
    private readonly SqliteParameter[] _readLimit = new SqliteParameter[2];

    private void Open()
    {
        try
        {
            Directory.CreateDirectory(_options.DataDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BufferStorageException(BufferStorageError.CannotOpen, _databasePath,
                $"Buffer open failed: cannot create data_dir '{_options.DataDirectory}' ({ex.Message}). Create it or point gateway.data_dir at a writable directory.",
                0, ex);
        }

        AcquireLockFile();
        try
        {
            try
            {
                OpenDatabase();
            }
            catch (SqliteException ex) when (SqliteErrorMapping.IsCorruption(ex))
            {
                // Only a file SQLite itself calls damaged is moved aside; any other failure (locked, I/O, permissions)
                // leaves the file alone and is reported, so a database that opens is never dropped.
                CloseDatabase();
                string movedTo = MoveAside();
                Log.CorruptDatabaseMovedAside(_logger, _databasePath, movedTo, ex.Message);
                OpenDatabase();
            }
        }
        catch (SqliteException ex)
        {
            CloseDatabase();
            ReleaseLockFile();
            throw SqliteErrorMapping.ToStorageException(ex, _databasePath, "open");
        }
        catch
        {
            CloseDatabase();
            ReleaseLockFile();
            throw;
        }
    }

    /// <summary>
    /// Holds an exclusive lock on <c>&lt;file&gt;.lock</c> while open: two gateways on one data_dir would hand out the
    /// same seqs. (.NET takes an advisory flock for <see cref="FileShare.None"/> on Unix; the kernel drops it when
    /// the process dies, so a killed gateway never leaves a stale lock.)
    /// </summary>
    private void AcquireLockFile()
    {
        string lockPath = _databasePath + ".lock";
        try
        {
            _lockFile = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BufferStorageException(BufferStorageError.InUse, _databasePath,
                $"Buffer open failed: cannot lock '{lockPath}' ({ex.Message}). Another gateway process probably uses data_dir " +
                $"'{_options.DataDirectory}'; stop it or give each gateway its own data_dir.",
                0, ex);
        }
    }

    private void OpenDatabase()
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = _databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            // No pooling: closing must really close the file (move-aside, clean WAL checkpoint at shutdown).
            Pooling = false,
        };

        _writer = new SqliteConnection(builder.ToString());
        _writer.Open();
        // Only takes effect on a new file (before the first table) or at the next VACUUM (see ConvertToIncrementalVacuum):
        // free pages then stay in the file until PRAGMA incremental_vacuum gives them back (https://sqlite.org/pragma.html#pragma_auto_vacuum).
        Execute(_writer, "PRAGMA auto_vacuum=INCREMENTAL;");
        string journalMode = Convert.ToString(Scalar(_writer, "PRAGMA journal_mode=WAL;"), CultureInfo.InvariantCulture) ?? "";
        if (!string.Equals(journalMode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new BufferStorageException(BufferStorageError.CannotOpen, _databasePath,
                $"Buffer open failed: '{_databasePath}' cannot use write-ahead logging (journal mode is '{journalMode}'). Put data_dir on a local file system (not NFS/SMB).",
                0, null);
        }

        // FULL: the WAL is fsynced at every commit, so a committed record survives a power cut, not only a kill.
        Execute(_writer, "PRAGMA synchronous=FULL;");

        long userVersion = (long)Scalar(_writer, "PRAGMA user_version;")!;
        if (userVersion > BufferSchema.Version)
        {
            throw new BufferStorageException(BufferStorageError.UnsupportedSchema, _databasePath,
                $"Buffer open failed: '{_databasePath}' has schema version {userVersion}, written by a newer gateway (this one knows {BufferSchema.Version}). " +
                "Run the newer gateway version, or stop the gateway and move the file away to start an empty buffer.",
                0, null);
        }

        Execute(_writer, "BEGIN IMMEDIATE;");
        Execute(_writer, BufferSchema.Create);
        Execute(_writer, "COMMIT;");

        _pageSize = (long)Scalar(_writer, "PRAGMA page_size;")!;
        _budget = BufferDiskBudget.For(_options.MaxDiskBytes, _pageSize);
        _files = new BufferFiles(_databasePath);
        // The WAL stays inside its share of max_disk: a checkpoint starts when it holds half of it, and the file is
        // truncated back to the reserve when the log restarts.
        Execute(_writer, string.Create(CultureInfo.InvariantCulture, $"PRAGMA journal_size_limit={_budget.WalBytes};"));
        Execute(_writer, string.Create(CultureInfo.InvariantCulture, $"PRAGMA wal_autocheckpoint={_budget.AutoCheckpointPages};"));
        _incrementalVacuum = (long)Scalar(_writer, "PRAGMA auto_vacuum;")! == IncrementalAutoVacuum;
        // Counting walks each table's b-tree once at open; it also surfaces damaged pages now, while the file can
        // still be moved aside, instead of in the middle of forwarding.
        _telemetryCount = (long)Scalar(_writer, "SELECT count(*) FROM telemetry;")!;
        _alarmCount = (long)Scalar(_writer, "SELECT count(*) FROM alarms;")!;
        _lastSeq = (long)Scalar(_writer,
            "SELECT max((SELECT value FROM meta WHERE key = 'last_seq'), ifnull((SELECT max(seq) FROM telemetry), 0), ifnull((SELECT max(seq) FROM alarms), 0));")!;

        if (!_incrementalVacuum)
        {
            ConvertToIncrementalVacuum(_writer);
        }

        PrepareWriterStatements(_writer);
        _oldestTelemetryMs = QueryOldestCommittedAt(RecordKind.Telemetry);
        _oldestAlarmMs = QueryOldestCommittedAt(RecordKind.Alarm);
        (_pageCount, _freePages) = QueryPages();
        _files.Measure();

        _reader = new SqliteConnection(builder.ToString());
        _reader.Open();
        Execute(_reader, "PRAGMA query_only=1;");
        PrepareReaderStatements(_reader);
    }

    private void PrepareWriterStatements(SqliteConnection connection)
    {
        _begin = Prepare(connection, "BEGIN IMMEDIATE;");
        _commit = Prepare(connection, "COMMIT;");
        _rollback = Prepare(connection, "ROLLBACK;");
        _pageCounts = Prepare(connection, "SELECT page_count, freelist_count FROM pragma_page_count(), pragma_freelist_count();");
        _reclaimStep = Prepare(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA incremental_vacuum({ReclaimStepPages});"));
        _checkpointTruncate = Prepare(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
        _updateLastSeq = Prepare(connection, "UPDATE meta SET value = $value WHERE key = 'last_seq';");
        _lastSeqValue = _updateLastSeq.Parameters.Add("$value", SqliteType.Integer);
        _evictTelemetry = Prepare(connection, "DELETE FROM telemetry WHERE seq IN (SELECT seq FROM telemetry ORDER BY seq LIMIT $count);");
        _evictCount = _evictTelemetry.Parameters.Add("$count", SqliteType.Integer);

        foreach (RecordKind kind in (ReadOnlySpan<RecordKind>)[RecordKind.Telemetry, RecordKind.Alarm])
        {
            int k = (int)kind;
            string table = BufferSchema.Table(kind);
            _insert[k] = new SqliteRecordInsert(connection, table);
            _delete[k] = Prepare(connection, $"DELETE FROM {table} WHERE seq <= $through;");
            _deleteThrough[k] = _delete[k].Parameters.Add("$through", SqliteType.Integer);
            _oldestCommittedAt[k] = Prepare(connection, $"SELECT committed_at FROM {table} ORDER BY seq LIMIT 1;");
        }
    }

    private void PrepareReaderStatements(SqliteConnection connection)
    {
        foreach (RecordKind kind in (ReadOnlySpan<RecordKind>)[RecordKind.Telemetry, RecordKind.Alarm])
        {
            int k = (int)kind;
            _read[k] = Prepare(connection, $"SELECT seq, device, body FROM {BufferSchema.Table(kind)} WHERE seq > $after ORDER BY seq LIMIT $limit;");
            _readAfter[k] = _read[k].Parameters.Add("$after", SqliteType.Integer);
            _readLimit[k] = _read[k].Parameters.Add("$limit", SqliteType.Integer);
        }
    }

    private void ReadOldest(RecordKind kind, long afterSeq, int maxCount, List<BufferedRecord> records)
    {
        int k = (int)kind;
        _readAfter[k].Value = afterSeq;
        _readLimit[k].Value = maxCount;
        using SqliteDataReader reader = _read[k].ExecuteReader();
        while (reader.Read())
        {
            records.Add(new BufferedRecord(reader.GetInt64(0), kind, reader.GetString(1), reader.GetString(2)));
        }
    }

    private long? QueryOldestCommittedAt(RecordKind kind) => _oldestCommittedAt[(int)kind].ExecuteScalar() is long value ? value : null;

    /// <summary>The database's size in pages and how many of them are free (inside the writer's transaction, if one is open).</summary>
    private (long PageCount, long FreePages) QueryPages()
    {
        using SqliteDataReader reader = _pageCounts.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private string MoveAside()
    {
        string stamp = _timeProvider.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        string target = $"{_databasePath}.corrupt-{stamp}";
        for (int attempt = 1; File.Exists(target); attempt++)
        {
            target = $"{_databasePath}.corrupt-{stamp}-{attempt}";
        }

        try
        {
            File.Move(_databasePath, target);
            // The WAL and shared-memory files belong to the damaged file; keep them beside it under SQLite's naming
            // (<db>-wal) so the pair can still be opened for analysis, and so they are never applied to the new file.
            foreach (string suffix in (ReadOnlySpan<string>)["-wal", "-shm"])
            {
                if (File.Exists(_databasePath + suffix))
                {
                    File.Move(_databasePath + suffix, target + suffix);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BufferStorageException(BufferStorageError.Corrupt, _databasePath,
                $"Buffer open failed: '{_databasePath}' is damaged and could not be moved aside to '{target}' ({ex.Message}). " +
                "Make data_dir writable, or stop the gateway and move the file away by hand.",
                SqliteErrorMapping.SqliteCorrupt, ex);
        }

        return target;
    }

    private void CloseDatabase()
    {
        foreach (SqliteCommand? command in (ReadOnlySpan<SqliteCommand?>)[_begin, _commit, _rollback, _pageCounts, _reclaimStep, _checkpointTruncate, _updateLastSeq, _evictTelemetry,
            _delete[0], _delete[1], _oldestCommittedAt[0], _oldestCommittedAt[1], _read[0], _read[1]])
        {
            command?.Dispose();
        }

        // Raw statements are finalized before their connection closes.
        for (int k = 0; k < _insert.Length; k++)
        {
            _insert[k]?.Dispose();
            _insert[k] = null;
        }

        _reader?.Dispose();
        _reader = null;
        _writer?.Dispose();
        _writer = null;
    }

    private void ReleaseLockFile()
    {
        _lockFile?.Dispose();
        _lockFile = null;
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string sql)
    {
        SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.Prepare();
        return command;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
