using System.Globalization;
using Microsoft.Data.Sqlite;

namespace SmartCity.Edge.Gateway.Commands;

/// <summary>
/// <c>{data_dir}/commands.db</c>: the signed command tokens already executed, by key id and <c>jti</c>, so a token
/// replayed — seconds later or after a restart — is refused. A token is remembered until its <c>exp</c> plus the clock
/// skew: after that the lifetime check refuses it anyway, and the row is deleted.
/// </summary>
/// <remarks>
/// Bounded by construction: only tokens that verified and executed are recorded (a forger cannot add rows), each for at
/// most <c>max_lifetime + clock_skew</c>, and every insert first deletes the expired ones. Written with
/// <c>synchronous=FULL</c> before the command's result is published and the broker's PUBACK sent, so a token counts as
/// used exactly when its effect does (see <see cref="CommandService"/>). A write's result is kept with its token: the
/// broker delivering the command again (its result was lost with the connection) gets it again, inside the refusal.
/// </remarks>
internal sealed class CommandReplayStore : IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS used_token (kid TEXT NOT NULL, jti TEXT NOT NULL, expires INTEGER NOT NULL, PRIMARY KEY (kid, jti)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS used_token_expires ON used_token (expires);
        """;

    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;

    public CommandReplayStore(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        Path = System.IO.Path.Combine(dataDirectory, "commands.db");
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL;");
        Execute("PRAGMA synchronous=FULL;");
        Execute(Schema);

        // Added for writes: the result a token's command got, sent again when the token comes again. A commands.db of
        // an earlier version gets the column; its rows have none.
        using SqliteCommand probe = _connection.CreateCommand();
        probe.CommandText = "SELECT count(*) FROM pragma_table_info('used_token') WHERE name = 'result';";
        if (Convert.ToInt64(probe.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
        {
            Execute("ALTER TABLE used_token ADD COLUMN result BLOB;");
        }
    }

    public string Path { get; }

    /// <summary>True when a command signed by <paramref name="kid"/> with this <paramref name="tokenId"/> was executed before.</summary>
    public bool WasUsed(string kid, string tokenId)
    {
        lock (_gate)
        {
            using SqliteCommand command = _connection.CreateCommand();
            command.CommandText = "SELECT 1 FROM used_token WHERE kid = $kid AND jti = $jti;";
            command.Parameters.AddWithValue("$kid", kid);
            command.Parameters.AddWithValue("$jti", tokenId);
            return command.ExecuteScalar() is not null;
        }
    }

    /// <summary>
    /// Records a token as used until <paramref name="expires"/>, and forgets every token that expired before
    /// <paramref name="forgetBefore"/> (now minus the clock skew: no such token passes the lifetime check any more).
    /// </summary>
    public void Remember(string kid, string tokenId, DateTimeOffset expires, DateTimeOffset forgetBefore, byte[]? result = null)
    {
        lock (_gate)
        {
            using SqliteTransaction transaction = _connection.BeginTransaction();
            using (SqliteCommand purge = _connection.CreateCommand())
            {
                purge.Transaction = transaction;
                purge.CommandText = "DELETE FROM used_token WHERE expires < $before;";
                purge.Parameters.AddWithValue("$before", forgetBefore.ToUnixTimeSeconds());
                purge.ExecuteNonQuery();
            }

            using (SqliteCommand insert = _connection.CreateCommand())
            {
                insert.Transaction = transaction;
                insert.CommandText = "INSERT OR REPLACE INTO used_token (kid, jti, expires, result) VALUES ($kid, $jti, $expires, $result);";
                insert.Parameters.AddWithValue("$result", (object?)result ?? DBNull.Value);
                insert.Parameters.AddWithValue("$kid", kid);
                insert.Parameters.AddWithValue("$jti", tokenId);
                insert.Parameters.AddWithValue("$expires", expires.ToUnixTimeSeconds());
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }

    /// <summary>The result the command of a used token got (its <c>{prefix}/commands/result</c> payload), if it was kept.</summary>
    public byte[]? ResultOf(string kid, string tokenId)
    {
        lock (_gate)
        {
            using SqliteCommand command = _connection.CreateCommand();
            command.CommandText = "SELECT result FROM used_token WHERE kid = $kid AND jti = $jti;";
            command.Parameters.AddWithValue("$kid", kid);
            command.Parameters.AddWithValue("$jti", tokenId);
            return command.ExecuteScalar() as byte[];
        }
    }

    /// <summary>Tokens remembered now (for tests and diagnostics).</summary>
    public long Count()
    {
        lock (_gate)
        {
            using SqliteCommand command = _connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM used_token;";
            return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _connection.Dispose();
        }
    }

    private void Execute(string sql)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
