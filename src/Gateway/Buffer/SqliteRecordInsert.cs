using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// The append hot path: one prepared <c>INSERT</c> bound through SQLitePCL directly on the writer connection's
/// handle. <see cref="SqliteCommand"/> boxes every integer parameter and encodes every string to a new UTF-8 array
/// per execution; binding the .NET string's UTF-16 chars (SQLite copies them, SQLITE_TRANSIENT) and the integers
/// directly allocates nothing per record.
/// </summary>
internal sealed class SqliteRecordInsert : IDisposable
{
    // https://sqlite.org/rescode.html#done
    private const int SqliteDone = 101;

    private readonly sqlite3 _database;
    private readonly sqlite3_stmt _statement;

    public SqliteRecordInsert(SqliteConnection connection, string table)
    {
        _database = connection.Handle!;
        int rc = raw.sqlite3_prepare_v2(_database, $"INSERT INTO {table} (seq, device, body, committed_at) VALUES (?1, ?2, ?3, ?4);", out _statement);
        SqliteException.ThrowExceptionForRC(rc, _database);
    }

    /// <summary>Inserts one record inside the caller's transaction; throws <see cref="SqliteException"/> on failure.</summary>
    public void Execute(long seq, string deviceId, string body, long committedAt)
    {
        try
        {
            Check(raw.sqlite3_bind_int64(_statement, 1, seq));
            BindText(2, deviceId);
            BindText(3, body);
            Check(raw.sqlite3_bind_int64(_statement, 4, committedAt));
            int rc = raw.sqlite3_step(_statement);
            if (rc != SqliteDone)
            {
                SqliteException.ThrowExceptionForRC(rc, _database);
            }
        }
        finally
        {
            // Makes the statement reusable; its return value repeats the step's error, already thrown above.
            raw.sqlite3_reset(_statement);
        }
    }

    public void Dispose() => _statement.Dispose();

    private void BindText(int index, string value)
    {
        // An empty span has no address and would bind NULL (rejected by NOT NULL): bind "" the ordinary way.
        Check(value.Length == 0 ? raw.sqlite3_bind_text(_statement, index, string.Empty) : raw.sqlite3_bind_text16(_statement, index, value.AsSpan()));
    }

    private void Check(int rc) => SqliteException.ThrowExceptionForRC(rc, _database);
}
