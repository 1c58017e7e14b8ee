using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Gateway.Buffer;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>
/// <c>{data_dir}/alarms.db</c>, where gateways before buffer schema 4 kept alarm states and the webhook outbox, in a
/// transaction apart from the buffer's (a crash between the two could repeat a transition or lose its webhook). At
/// the first start its rows are copied into <c>buffer.db</c> in one transaction that also records the import, then the
/// file is renamed <c>alarms.db.imported</c> (kept, never read again). A crash before the commit imports again from
/// scratch; one after it only renames. A damaged file is moved aside and its alarms re-evaluated.
/// </summary>
internal static class LegacyAlarmsDatabase
{
    public const string FileName = "alarms.db";
    private const string ImportedKey = "alarms_db_imported";

    public static void Import(SqliteDurableBuffer buffer, ILogger logger)
    {
        string path = Path.Combine(Path.GetDirectoryName(buffer.DatabasePath)!, FileName);
        if (!File.Exists(path))
        {
            return;
        }

        bool imported = buffer.Query(static connection =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = $"SELECT count(*) FROM meta WHERE key = '{ImportedKey}';";
            return (long)command.ExecuteScalar()! > 0;
        });
        if (imported)
        {
            // Committed before a crash that came before the rename.
            MoveAside(path, "imported");
            return;
        }

        (List<object?[]> states, List<object?[]> outbox) rows;
        try
        {
            rows = Read(path);
        }
        catch (SqliteException ex) when (SqliteErrorMapping.IsCorruption(ex))
        {
            SqliteConnection.ClearAllPools();
            AlarmLog.LegacyDamaged(logger, path, ex.Message, MoveAside(path, "corrupt"));
            return;
        }

        buffer.ExecuteAsync(connection =>
        {
            using SqliteCommand state = connection.CreateCommand();
            state.CommandText = "INSERT OR IGNORE INTO alarm_state (alarm, state, since, ack_by, body, occurrence, active_since) VALUES ($1, $2, $3, $4, $5, $6, $7);";
            foreach (object?[] row in rows.states)
            {
                Bind(state, row);
                state.ExecuteNonQuery();
            }

            // Appended in their old order (new ids): each webhook's queue keeps its order.
            using SqliteCommand delivery = connection.CreateCommand();
            delivery.CommandText = "INSERT INTO webhook_outbox (url, body, created_at) VALUES ($1, $2, $3);";
            foreach (object?[] row in rows.outbox)
            {
                Bind(delivery, row);
                delivery.ExecuteNonQuery();
            }

            using SqliteCommand done = connection.CreateCommand();
            done.CommandText = $"INSERT INTO meta (key, value) VALUES ('{ImportedKey}', 1) ON CONFLICT (key) DO UPDATE SET value = 1;";
            done.ExecuteNonQuery();
            return 0;
        }, CancellationToken.None).AsTask().GetAwaiter().GetResult();

        AlarmLog.LegacyImported(logger, rows.states.Count, rows.outbox.Count, path, buffer.DatabasePath, MoveAside(path, "imported"));
    }

    /// <summary>The rows of both tables (either may be missing; columns added later read as null).</summary>
    private static (List<object?[]> States, List<object?[]> Outbox) Read(string path)
    {
        // Read-write, so a WAL the old gateway left behind is applied; not pooled, so closing really closes (and
        // checkpoints) before the file is renamed.
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        connection.Open();
        var states = new List<object?[]>();
        var outbox = new List<object?[]>();
        HashSet<string> stateColumns = Columns(connection, "alarm_state");
        if (stateColumns.Count > 0)
        {
            string occurrence = stateColumns.Contains("occurrence") ? "occurrence" : "NULL";
            string activeSince = stateColumns.Contains("active_since") ? "active_since" : "NULL";
            ReadRows(connection, $"SELECT alarm, state, since, ack_by, body, {occurrence}, {activeSince} FROM alarm_state;", states);
        }

        if (Columns(connection, "webhook_outbox").Count > 0)
        {
            ReadRows(connection, "SELECT url, body, created_at FROM webhook_outbox ORDER BY id;", outbox);
        }

        return (states, outbox);
    }

    private static HashSet<string> Columns(SqliteConnection connection, string table)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM pragma_table_info($table);";
        command.Parameters.AddWithValue("$table", table);
        using SqliteDataReader reader = command.ExecuteReader();
        var columns = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            columns.Add(reader.GetString(0));
        }

        return columns;
    }

    private static void ReadRows(SqliteConnection connection, string sql, List<object?[]> into)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            object?[] row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            into.Add(row);
        }
    }

    private static void Bind(SqliteCommand command, object?[] row)
    {
        command.Parameters.Clear();
        for (int i = 0; i < row.Length; i++)
        {
            command.Parameters.AddWithValue("$" + (i + 1).ToString(CultureInfo.InvariantCulture), row[i] ?? DBNull.Value);
        }
    }

    /// <summary>Renames the file (and a WAL or shared-memory file beside it) to <c>alarms.db.{why}</c>, numbered if taken.</summary>
    private static string MoveAside(string path, string why)
    {
        string target = $"{path}.{why}";
        for (int attempt = 1; File.Exists(target); attempt++)
        {
            target = $"{path}.{why}-{attempt}";
        }

        File.Move(path, target);
        foreach (string suffix in (ReadOnlySpan<string>)["-wal", "-shm"])
        {
            if (File.Exists(path + suffix))
            {
                File.Move(path + suffix, target + suffix);
            }
        }

        return target;
    }
}
