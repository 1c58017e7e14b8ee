using System.Globalization;
using Microsoft.Data.Sqlite;
using SmartCity.Edge.Gateway.Audit;
using SmartCity.Edge.Gateway.Buffer.Storage;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>Opening, recovery and the prepared statements.</summary>
internal sealed partial class SqliteDurableBuffer
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
    private SqliteCommand _upsertMeta = null!;
    private SqliteParameter _metaKey = null!;
    private SqliteParameter _metaValue = null!;
    private SqliteCommand _oldestFrames = null!;
    private SqliteParameter _oldestFramesCount = null!;
    private SqliteCommand _insertAlarm = null!;
    private SqliteParameter _alarmSeq = null!;
    private SqliteParameter _alarmDevice = null!;
    private SqliteParameter _alarmBody = null!;
    private SqliteParameter _alarmCommittedAt = null!;
    private SqliteCommand _insertAudit = null!;
    private SqliteParameter _auditSeq = null!;
    private SqliteParameter _auditBody = null!;
    private SqliteParameter _auditCommittedAt = null!;
    private SqliteCommand _insertTagTable = null!;
    private SqliteParameter _tagTableDevice = null!;
    private SqliteParameter _tagTableTags = null!;
    private SqliteFrameInsert? _insertFrame;
    private readonly SqliteCommand[] _deleteThrough = new SqliteCommand[RecordKinds.Count];
    private readonly SqliteParameter[] _deleteThroughSeq = new SqliteParameter[RecordKinds.Count];
    private readonly SqliteCommand[] _countThrough = new SqliteCommand[RecordKinds.Count];
    private readonly SqliteParameter[] _countThroughSeq = new SqliteParameter[RecordKinds.Count];
    private readonly SqliteCommand[] _oldestCommittedAt = new SqliteCommand[RecordKinds.Count];

    // Reader statements (guarded by _readLock).
    private SqliteCommand _readFrames = null!;
    private SqliteParameter _readFramesAfter = null!;
    private SqliteParameter _readFramesLimit = null!;
    private SqliteCommand _readAlarms = null!;
    private SqliteCommand _readAudit = null!;
    private SqliteCommand _readTagTable = null!;
    private SqliteParameter _readTagTableId = null!;

    /// <summary>Tag tables by their row id, as the reader met them (guarded by _readLock).</summary>
    private readonly Dictionary<long, TagTable?> _tablesById = [];

    /// <summary>Records found damaged by a read: reported once each (guarded by _readLock).</summary>
    private readonly HashSet<(RecordKind, long)> _reportedDamage = [];

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
            SeqMarkReading mark = SeqHighWaterMark.Read(_databasePath + SeqHighWaterMark.Suffix);
            string? movedTo = null;
            string? damage = null;
            try
            {
                OpenDatabase(mark);
            }
            catch (SqliteException ex) when (SqliteErrorMapping.IsCorruption(ex))
            {
                // Only a file SQLite itself calls damaged is moved aside; any other failure (locked, I/O, permissions)
                // leaves the file alone and is reported, so a database that opens is never dropped.
                CloseDatabase();
                movedTo = MoveAside();
                damage = ex.Message;
                OpenDatabase(mark);
            }

            KeepSeqMark(mark, movedTo, damage);
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

    private void OpenDatabase(SeqMarkReading mark)
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

        // A file with no table yet (new, deleted by hand, or just moved aside as damaged) knows nothing of the seqs
        // handed out before: only the mark outside it does. With the mark unreadable too, no safe seq is known.
        _createdEmpty = (long)Scalar(_writer, "SELECT count(*) FROM sqlite_master;")! == 0;
        if (_createdEmpty && mark.Status == SeqMarkStatus.Damaged)
        {
            throw new BufferStorageException(BufferStorageError.Corrupt, _databasePath,
                $"Buffer open failed: '{_databasePath}' holds no records (new, or the damaged one was moved aside) and the seq high-water mark " +
                $"'{_databasePath}{SeqHighWaterMark.Suffix}' is damaged ({mark.Problem}), so where seq stands is unknown: restarting at 1 would make " +
                "receivers that drop by highest seq discard new data. Write a number above the last seq receivers saw into the mark as " +
                "'smartcity-edge-seq-mark 1 N N' (one line), or delete the mark to restart seq at 1 after resetting the receivers.",
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

        PrepareWriterStatements(_writer);
        LoadTagTables();
        if (userVersion == BufferSchema.RowPerReadingVersion || TableExists(_writer, "telemetry"))
        {
            MigrateRowPerReading();
        }

        Execute(_writer, string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {BufferSchema.Version};"));

        // Counting walks each table's b-tree once at open; it also surfaces damaged pages now, while the file can
        // still be moved aside, instead of in the middle of forwarding.
        CountRecords();
        _lastSeq = Math.Max(_persistedLastSeq, Math.Max(_lastTelemetrySeq, Math.Max(_lastAlarmSeq, _lastAuditSeq)));
        if (_createdEmpty && mark.Status == SeqMarkStatus.Valid && mark.Value > _lastSeq)
        {
            // Continue above every seq that may have been handed out; LoadCursors stores it as the file's last_seq, so
            // from now on the file itself says where seqs stand.
            _lastSeq = mark.Value;
        }

        if (LoadCursors())
        {
            CountRecords();
        }

        if (!_incrementalVacuum)
        {
            ConvertToIncrementalVacuum(_writer);
        }

        _oldestTelemetryMs = QueryOldestCommittedAt(RecordKind.Telemetry);
        _oldestAlarmMs = QueryOldestCommittedAt(RecordKind.Alarm);
        _oldestAuditMs = QueryOldestCommittedAt(RecordKind.Audit);
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
        _upsertMeta = Prepare(connection, "INSERT INTO meta (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value;");
        _metaKey = _upsertMeta.Parameters.Add("$key", SqliteType.Text);
        _metaValue = _upsertMeta.Parameters.Add("$value", SqliteType.Integer);
        _oldestFrames = Prepare(connection, "SELECT ifnull(max(seq), 0), ifnull(sum(count), 0), count(*) FROM (SELECT seq, count FROM frames ORDER BY seq LIMIT $count);");
        _oldestFramesCount = _oldestFrames.Parameters.Add("$count", SqliteType.Integer);
        _insertAlarm = Prepare(connection, "INSERT INTO alarm_records (seq, device, body, committed_at) VALUES ($seq, $device, $body, $committed_at);");
        _alarmSeq = _insertAlarm.Parameters.Add("$seq", SqliteType.Integer);
        _alarmDevice = _insertAlarm.Parameters.Add("$device", SqliteType.Text);
        _alarmBody = _insertAlarm.Parameters.Add("$body", SqliteType.Blob);
        _alarmCommittedAt = _insertAlarm.Parameters.Add("$committed_at", SqliteType.Integer);
        _insertAudit = Prepare(connection, "INSERT INTO audit_records (seq, body, committed_at) VALUES ($seq, $body, $committed_at);");
        _auditSeq = _insertAudit.Parameters.Add("$seq", SqliteType.Integer);
        _auditBody = _insertAudit.Parameters.Add("$body", SqliteType.Blob);
        _auditCommittedAt = _insertAudit.Parameters.Add("$committed_at", SqliteType.Integer);
        _insertTagTable = Prepare(connection, "INSERT INTO tag_tables (device, tags) VALUES ($device, $tags) RETURNING id;");
        _tagTableDevice = _insertTagTable.Parameters.Add("$device", SqliteType.Text);
        _tagTableTags = _insertTagTable.Parameters.Add("$tags", SqliteType.Blob);
        _insertFrame = new SqliteFrameInsert(connection);

        // A frame is gone once its last reading is: seq + count - 1 <= through (the rowid range bounds the scan).
        _deleteThrough[(int)RecordKind.Telemetry] = Prepare(connection, "DELETE FROM frames WHERE seq <= $through AND seq + count - 1 <= $through;");
        _countThrough[(int)RecordKind.Telemetry] = Prepare(connection, "SELECT count(*), ifnull(sum(count), 0) FROM frames WHERE seq <= $through AND seq + count - 1 <= $through;");
        foreach (RecordKind kind in (ReadOnlySpan<RecordKind>)[RecordKind.Alarm, RecordKind.Audit])
        {
            // One seq a record: rows and records are the same count.
            _deleteThrough[(int)kind] = Prepare(connection, $"DELETE FROM {RecordKinds.Table(kind)} WHERE seq <= $through;");
            _countThrough[(int)kind] = Prepare(connection, $"SELECT count(*), count(*) FROM {RecordKinds.Table(kind)} WHERE seq <= $through;");
        }

        foreach (RecordKind kind in RecordKinds.All)
        {
            int k = (int)kind;
            _deleteThroughSeq[k] = _deleteThrough[k].Parameters.Add("$through", SqliteType.Integer);
            _countThroughSeq[k] = _countThrough[k].Parameters.Add("$through", SqliteType.Integer);
            _oldestCommittedAt[k] = Prepare(connection, $"SELECT committed_at FROM {RecordKinds.Table(kind)} ORDER BY seq LIMIT 1;");
        }
    }

    private void PrepareReaderStatements(SqliteConnection connection)
    {
        _readFrames = Prepare(connection, "SELECT seq, count, tag_table, body FROM frames WHERE seq > $after ORDER BY seq LIMIT $limit;");
        _readFramesAfter = _readFrames.Parameters.Add("$after", SqliteType.Integer);
        _readFramesLimit = _readFrames.Parameters.Add("$limit", SqliteType.Integer);
        _readAlarms = Prepare(connection, "SELECT seq, body FROM alarm_records WHERE seq > $after ORDER BY seq LIMIT $limit;");
        _readAlarms.Parameters.Add("$after", SqliteType.Integer);
        _readAlarms.Parameters.Add("$limit", SqliteType.Integer);
        _readAudit = Prepare(connection, "SELECT seq, body FROM audit_records WHERE seq > $after ORDER BY seq LIMIT $limit;");
        _readAudit.Parameters.Add("$after", SqliteType.Integer);
        _readAudit.Parameters.Add("$limit", SqliteType.Integer);
        _readTagTable = Prepare(connection, "SELECT device, tags FROM tag_tables WHERE id = $id;");
        _readTagTableId = _readTagTable.Parameters.Add("$id", SqliteType.Integer);
    }

    /// <summary>Reads whole frames after <paramref name="afterSeq"/> until they hold <paramref name="maxReadings"/> readings. Under _readLock.</summary>
    private void ReadFrames(long afterSeq, int maxReadings, List<BufferedFrame> frames)
    {
        _readFramesAfter.Value = afterSeq;
        _readFramesLimit.Value = maxReadings;
        using SqliteDataReader reader = _readFrames.ExecuteReader();
        int readings = 0;
        while (readings < maxReadings && reader.Read())
        {
            long seq = reader.GetInt64(0);
            int count = reader.GetInt32(1);
            readings += count;
            if (ResolveTagTable(reader.GetInt64(2), seq) is { } table)
            {
                frames.Add(new BufferedFrame(seq, count, table, reader.GetFieldValue<byte[]>(3)));
            }
        }
    }

    /// <summary>Reads alarm records after <paramref name="afterSeq"/>. Under _readLock.</summary>
    private void ReadAlarms(long afterSeq, int maxCount, List<BufferedAlarm> alarms) =>
        ReadRecords(RecordKind.Alarm, _readAlarms, afterSeq, maxCount, alarms, static (seq, body) => new BufferedAlarm(seq, AlarmRecordCodec.Decode(body)));

    /// <summary>Reads audit records after <paramref name="afterSeq"/>. Under _readLock.</summary>
    private void ReadAudit(long afterSeq, int maxCount, List<AuditRecord> records) =>
        ReadRecords(RecordKind.Audit, _readAudit, afterSeq, maxCount, records, static (seq, body) => AuditRecordCodec.Decode(body, seq));

    /// <summary>
    /// Reads the records of a one-seq kind (<c>SELECT seq, body … WHERE seq &gt; $after … LIMIT $limit</c>); a damaged one
    /// is reported and left out. Under _readLock.
    /// </summary>
    private void ReadRecords<T>(RecordKind kind, SqliteCommand read, long afterSeq, int maxCount, List<T> records, Func<long, byte[], T> decode)
    {
        read.Parameters["$after"].Value = afterSeq;
        read.Parameters["$limit"].Value = maxCount;
        using SqliteDataReader reader = read.ExecuteReader();
        while (reader.Read())
        {
            long seq = reader.GetInt64(0);
            try
            {
                records.Add(decode(seq, reader.GetFieldValue<byte[]>(1)));
            }
            catch (StoredFormatException ex)
            {
                ReportDamage(kind, seq, ex.Message);
            }
        }
    }

    /// <summary>
    /// The tag table of a frame (cached), or null when it is missing or damaged: such a frame cannot be rendered, is
    /// reported once and skipped (it is deleted with the records after it).
    /// </summary>
    private TagTable? ResolveTagTable(long id, long frameSeq)
    {
        if (!_tablesById.TryGetValue(id, out TagTable? table))
        {
            _readTagTableId.Value = id;
            using SqliteDataReader reader = _readTagTable.ExecuteReader();
            string? problem = null;
            try
            {
                table = reader.Read() ? TagTableCodec.Decode(reader.GetString(0), reader.GetFieldValue<byte[]>(1)) : null;
                problem = table is null ? $"its tag table {id} is missing" : null;
            }
            catch (StoredFormatException ex)
            {
                problem = ex.Message;
            }

            _tablesById[id] = table;
            if (problem is not null)
            {
                ReportDamage(RecordKind.Telemetry, frameSeq, problem);
            }
        }

        if (table is null)
        {
            ReportDamage(RecordKind.Telemetry, frameSeq, $"tag table {id} cannot be read");
        }

        return table;
    }

    private void ReportDamage(RecordKind kind, long seq, string problem)
    {
        if (_reportedDamage.Add((kind, seq)))
        {
            Log.DamagedRecordSkipped(_logger, RecordKinds.Describe(kind), seq, _databasePath, problem);
        }
    }

    /// <summary>Every tag table already stored, so appends refer to them instead of storing them again.</summary>
    private void LoadTagTables()
    {
        using SqliteCommand command = _writer!.CreateCommand();
        command.CommandText = "SELECT id, device, tags FROM tag_tables;";
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            try
            {
                _tagTableIds.TryAdd(TagTableCodec.Decode(reader.GetString(1), reader.GetFieldValue<byte[]>(2)), reader.GetInt64(0));
            }
            catch (StoredFormatException)
            {
                // Its frames are reported when read; a new table with the same tags gets a row of its own.
            }
        }
    }

    private void CountRecords()
    {
        using SqliteCommand counts = _writer!.CreateCommand();
        counts.CommandText = """
            SELECT count(*), ifnull(sum(count), 0), ifnull(max(seq + count - 1), 0) FROM frames;
            SELECT count(*), ifnull(max(seq), 0) FROM alarm_records;
            SELECT count(*), ifnull(max(seq), 0) FROM audit_records;
            SELECT value FROM meta WHERE key = 'last_seq';
            """;
        using SqliteDataReader reader = counts.ExecuteReader();
        reader.Read();
        _telemetryFrames = reader.GetInt64(0);
        _telemetryCount = reader.GetInt64(1);
        _lastTelemetrySeq = Math.Max(_lastTelemetrySeq, reader.GetInt64(2));
        reader.NextResult();
        reader.Read();
        _alarmCount = reader.GetInt64(0);
        _lastAlarmSeq = Math.Max(_lastAlarmSeq, reader.GetInt64(1));
        reader.NextResult();
        reader.Read();
        _auditCount = reader.GetInt64(0);
        _lastAuditSeq = Math.Max(_lastAuditSeq, reader.GetInt64(1));
        reader.NextResult();
        reader.Read();
        _persistedLastSeq = reader.GetInt64(0);
    }

    /// <summary>
    /// The configured upstreams' cursors (an upstream new to the file starts at 0: everything waiting is for it too);
    /// cursors of upstreams no longer configured are dropped, and what every remaining upstream has is deleted.
    /// Returns true when records were deleted.
    /// </summary>
    private bool LoadCursors()
    {
        var stored = new Dictionary<string, long>(StringComparer.Ordinal);
        using (SqliteCommand command = _writer!.CreateCommand())
        {
            command.CommandText = "SELECT key, value FROM meta WHERE key LIKE 'cursor/%';";
            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                stored[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        foreach (string upstream in _options.Upstreams)
        {
            var cursor = default(UpstreamCursor);
            foreach (RecordKind kind in RecordKinds.All)
            {
                cursor = cursor.With(kind, stored.GetValueOrDefault(RecordKinds.CursorKey(upstream, kind)));
            }

            _cursors[upstream] = cursor;
        }

        var kept = new HashSet<string>(StringComparer.Ordinal);
        foreach (string upstream in _options.Upstreams)
        {
            foreach (RecordKind kind in RecordKinds.All)
            {
                kept.Add(RecordKinds.CursorKey(upstream, kind));
            }
        }

        string[] dropped = stored.Keys.Where(key => !kept.Contains(key)).ToArray();
        Execute(_writer!, "BEGIN IMMEDIATE;");
        foreach (string key in dropped)
        {
            using SqliteCommand delete = _writer!.CreateCommand();
            delete.CommandText = "DELETE FROM meta WHERE key = $key;";
            delete.Parameters.AddWithValue("$key", key);
            delete.ExecuteNonQuery();
        }

        // The high-water mark first: the deletes below may leave no record to say where seqs stand.
        if (_lastSeq > _persistedLastSeq)
        {
            _lastSeqValue.Value = _lastSeq;
            _updateLastSeq.ExecuteNonQuery();
        }

        bool deleted = false;
        foreach (RecordKind kind in RecordKinds.All)
        {
            deleted |= DeleteAcknowledged(kind);
        }

        Execute(_writer!, "COMMIT;");
        _cursorSnapshot = new Dictionary<string, UpstreamCursor>(_cursors, StringComparer.Ordinal);
        return deleted;
    }

    private static bool TableExists(SqliteConnection connection, string table)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $name;";
        command.Parameters.AddWithValue("$name", table);
        return (long)command.ExecuteScalar()! > 0;
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
        foreach (SqliteCommand? command in (ReadOnlySpan<SqliteCommand?>)[_begin, _commit, _rollback, _pageCounts, _reclaimStep, _checkpointTruncate, _updateLastSeq,
            _upsertMeta, _oldestFrames, _insertAlarm, _insertAudit, _insertTagTable, _readFrames, _readAlarms, _readAudit, _readTagTable])
        {
            command?.Dispose();
        }

        foreach (SqliteCommand?[] perKind in (ReadOnlySpan<SqliteCommand?[]>)[_deleteThrough, _countThrough, _oldestCommittedAt])
        {
            foreach (SqliteCommand? command in perKind)
            {
                command?.Dispose();
            }
        }

        // Raw statements are finalized before their connection closes.
        _insertFrame?.Dispose();
        _insertFrame = null;
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
