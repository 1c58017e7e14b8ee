using Microsoft.Data.Sqlite;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// Holds SQLite's write lock on a running gateway's buffer (<c>data_dir/buffer.db</c>) from the test process, as a
/// stalled disk would: the gateway's commits wait (SQLite allows one writer; the buffer opens transactions with
/// <c>BEGIN IMMEDIATE</c>) until <see cref="Dispose"/> releases it. Nothing is written: the transaction is rolled back.
/// </summary>
internal sealed class BufferWriteLock : IDisposable
{
    private readonly SqliteConnection _connection;

    private BufferWriteLock(SqliteConnection connection)
    {
        _connection = connection;
    }

    /// <summary>Takes the lock, waiting for a commit of the gateway in progress (SQLite's busy timeout).</summary>
    public static BufferWriteLock Take(string dataDirectory)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, "buffer.db"),
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false, // closing must really release the file
            DefaultTimeout = (int)TestTimeouts.Short.TotalSeconds,
        }.ToString());
        connection.Open();
        using SqliteCommand begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE;";
        begin.ExecuteNonQuery();
        return new BufferWriteLock(connection);
    }

    public void Dispose()
    {
        using (SqliteCommand rollback = _connection.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK;";
            rollback.ExecuteNonQuery();
        }

        _connection.Dispose();
    }
}
