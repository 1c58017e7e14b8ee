using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// The append hot path: one prepared <c>INSERT</c> into <c>frames</c>, bound through SQLitePCL directly on the writer
/// connection's handle. <see cref="SqliteCommand"/> boxes every integer parameter and copies every blob into a new
/// array per execution; binding the body's span (SQLite copies it, SQLITE_TRANSIENT) and the integers allocates nothing.
/// </summary>
internal sealed class SqliteFrameInsert : IDisposable
{
    // https://sqlite.org/rescode.html#done
    private const int SqliteDone = 101;

    private readonly sqlite3 _database;
    private readonly sqlite3_stmt _statement;

    public SqliteFrameInsert(SqliteConnection connection)
    {
        _database = connection.Handle!;
        int rc = raw.sqlite3_prepare_v2(_database, "INSERT INTO frames (seq, count, tag_table, body, committed_at) VALUES (?1, ?2, ?3, ?4, ?5);", out _statement);
        SqliteException.ThrowExceptionForRC(rc, _database);
    }

    /// <summary>Inserts one frame inside the caller's transaction; throws <see cref="SqliteException"/> on failure.</summary>
    public void Execute(long seq, int count, long tagTable, ReadOnlySpan<byte> body, long committedAt)
    {
        try
        {
            Check(raw.sqlite3_bind_int64(_statement, 1, seq));
            Check(raw.sqlite3_bind_int(_statement, 2, count));
            Check(raw.sqlite3_bind_int64(_statement, 3, tagTable));
            Check(raw.sqlite3_bind_blob(_statement, 4, body));
            Check(raw.sqlite3_bind_int64(_statement, 5, committedAt));
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

    private void Check(int rc) => SqliteException.ThrowExceptionForRC(rc, _database);
}
