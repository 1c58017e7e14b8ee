using System.Globalization;
using Microsoft.Data.Sqlite;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>
/// <c>{data_dir}/alarms.db</c>: the last published state of every alarm (so a restart keeps an active alarm active
/// without a duplicate "active" message) and the webhook outbox (so a webhook delivery survives restarts). Both are
/// written in one transaction per batch of transitions, after the batch is committed to the upstream buffer: a crash
/// between the two can repeat a transition after restart, never lose one. One connection under a lock: alarm
/// traffic is small and every call is a short local transaction.
/// </summary>
internal sealed class AlarmStateStore : IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS alarm_state (alarm TEXT PRIMARY KEY, state TEXT NOT NULL, since TEXT NOT NULL, ack_by TEXT, body TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS webhook_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS webhook_outbox_url ON webhook_outbox (url, id);
        """;

    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;

    /// <summary>The webhook URLs the outbox serves (<see cref="RetargetOutbox"/>); null until set: every URL.</summary>
    private HashSet<string>? _outboxTargets;

    public AlarmStateStore(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        string path = System.IO.Path.Combine(dataDirectory, "alarms.db");
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL;");
        Execute("PRAGMA synchronous=FULL;");
        Execute(Schema);
        AddColumn("occurrence", "INTEGER");
        AddColumn("active_since", "TEXT");
    }

    public string Path => _connection.DataSource;

    public IReadOnlyList<AlarmSnapshot> LoadStates()
    {
        lock (_gate)
        {
            using SqliteCommand command = _connection.CreateCommand();
            command.CommandText = "SELECT alarm, state, since, ack_by, body, occurrence, active_since FROM alarm_state;";
            using SqliteDataReader reader = command.ExecuteReader();
            var states = new List<AlarmSnapshot>();
            while (reader.Read())
            {
                if (AlarmLifecycleNames.FromWire(reader.GetString(1)) is { } state)
                {
                    states.Add(new AlarmSnapshot(
                        reader.GetString(0),
                        state,
                        DateTimeOffset.Parse(reader.GetString(2), CultureInfo.InvariantCulture),
                        reader.IsDBNull(3) ? null : reader.GetString(3),
                        reader.GetString(4),
                        reader.IsDBNull(5) ? null : reader.GetInt64(5),
                        LastSeqOf(reader.GetString(4)),
                        reader.IsDBNull(6) ? null : DateTimeOffset.Parse(reader.GetString(6), CultureInfo.InvariantCulture)));
                }
            }

            return states;
        }
    }

    /// <summary>Records the published states (a retired alarm's row is deleted) and queues webhook deliveries, in one transaction.</summary>
    public void Commit(IReadOnlyList<(AlarmEvent Event, string Body)> states, IReadOnlyList<(Uri Url, string Body)> outbox, DateTimeOffset now)
    {
        lock (_gate)
        {
            using SqliteTransaction transaction = _connection.BeginTransaction();
            using (SqliteCommand upsert = _connection.CreateCommand())
            {
                upsert.Transaction = transaction;
                upsert.CommandText = """
                    INSERT INTO alarm_state (alarm, state, since, ack_by, body, occurrence, active_since) VALUES ($alarm, $state, $since, $ack, $body, $occurrence, $activeSince)
                    ON CONFLICT (alarm) DO UPDATE SET state = excluded.state, since = excluded.since, ack_by = excluded.ack_by, body = excluded.body, occurrence = excluded.occurrence, active_since = excluded.active_since;
                    """;
                SqliteParameter alarm = upsert.Parameters.Add("$alarm", SqliteType.Text);
                SqliteParameter state = upsert.Parameters.Add("$state", SqliteType.Text);
                SqliteParameter since = upsert.Parameters.Add("$since", SqliteType.Text);
                SqliteParameter ack = upsert.Parameters.Add("$ack", SqliteType.Text);
                SqliteParameter body = upsert.Parameters.Add("$body", SqliteType.Text);
                SqliteParameter occurrence = upsert.Parameters.Add("$occurrence", SqliteType.Integer);
                SqliteParameter activeSince = upsert.Parameters.Add("$activeSince", SqliteType.Text);
                using SqliteCommand delete = _connection.CreateCommand();
                delete.Transaction = transaction;
                delete.CommandText = "DELETE FROM alarm_state WHERE alarm = $alarm;";
                SqliteParameter retired = delete.Parameters.Add("$alarm", SqliteType.Text);
                foreach ((AlarmEvent alarmEvent, string json) in states)
                {
                    if (alarmEvent.Retired)
                    {
                        retired.Value = alarmEvent.Alarm.Id;
                        delete.ExecuteNonQuery();
                        continue;
                    }

                    alarm.Value = alarmEvent.Alarm.Id;
                    state.Value = alarmEvent.State.ToWire();
                    since.Value = alarmEvent.Timestamp.ToString("O", CultureInfo.InvariantCulture);
                    ack.Value = (object?)alarmEvent.Acknowledgement?.By ?? DBNull.Value;
                    body.Value = json;
                    occurrence.Value = alarmEvent.Occurrence?.Seq is > 0 and long seq ? seq : DBNull.Value;
                    activeSince.Value = alarmEvent.Occurrence?.ActivatedAt is { } activated ? activated.ToString("O", CultureInfo.InvariantCulture) : DBNull.Value;
                    upsert.ExecuteNonQuery();
                }
            }

            using (SqliteCommand insert = _connection.CreateCommand())
            {
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO webhook_outbox (url, body, created_at) VALUES ($url, $body, $at);";
                SqliteParameter url = insert.Parameters.Add("$url", SqliteType.Text);
                SqliteParameter body = insert.Parameters.Add("$body", SqliteType.Text);
                insert.Parameters.AddWithValue("$at", now.ToUnixTimeMilliseconds());
                foreach ((Uri target, string json) in outbox)
                {
                    if (_outboxTargets is not null && !_outboxTargets.Contains(target.AbsoluteUri))
                    {
                        continue; // the webhook was removed by a reload while this batch was being prepared
                    }

                    url.Value = target.AbsoluteUri;
                    body.Value = json;
                    insert.ExecuteNonQuery();
                }
            }

            transaction.Commit();
        }
    }

    /// <summary>The oldest waiting delivery for <paramref name="url"/>, or null.</summary>
    public (long Id, string Body)? PeekOutbox(Uri url)
    {
        lock (_gate)
        {
            using SqliteCommand command = _connection.CreateCommand();
            command.CommandText = "SELECT id, body FROM webhook_outbox WHERE url = $url ORDER BY id LIMIT 1;";
            command.Parameters.AddWithValue("$url", url.AbsoluteUri);
            using SqliteDataReader reader = command.ExecuteReader();
            return reader.Read() ? (reader.GetInt64(0), reader.GetString(1)) : null;
        }
    }

    public void DeleteOutbox(long id)
    {
        lock (_gate)
        {
            using SqliteCommand command = _connection.CreateCommand();
            command.CommandText = "DELETE FROM webhook_outbox WHERE id = $id;";
            command.Parameters.AddWithValue("$id", id);
            command.ExecuteNonQuery();
        }
    }

    public long CountOutbox(Uri url)
    {
        lock (_gate)
        {
            using SqliteCommand command = _connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM webhook_outbox WHERE url = $url;";
            command.Parameters.AddWithValue("$url", url.AbsoluteUri);
            return (long)command.ExecuteScalar()!;
        }
    }

    /// <summary>
    /// Makes <paramref name="urls"/> the only webhooks the outbox serves (at start and on every reload): drops the
    /// deliveries queued for any other URL and, from then on, ignores deliveries to other URLs in <see cref="Commit"/>,
    /// so a batch of transitions prepared just before a reload cannot leave orphans for a removed webhook. Returns
    /// the number dropped per URL (only URLs that had any).
    /// </summary>
    public IReadOnlyList<(string Url, int Dropped)> RetargetOutbox(IReadOnlyCollection<Uri> urls)
    {
        lock (_gate)
        {
            _outboxTargets = urls.Select(u => u.AbsoluteUri).ToHashSet(StringComparer.Ordinal);
            var dropped = new List<(string, int)>();
            using SqliteTransaction transaction = _connection.BeginTransaction();
            using (SqliteCommand count = _connection.CreateCommand())
            {
                count.Transaction = transaction;
                count.CommandText = "SELECT url, count(*) FROM webhook_outbox GROUP BY url ORDER BY url;";
                using SqliteDataReader reader = count.ExecuteReader();
                while (reader.Read())
                {
                    if (!_outboxTargets.Contains(reader.GetString(0)))
                    {
                        dropped.Add((reader.GetString(0), reader.GetInt32(1)));
                    }
                }
            }

            using (SqliteCommand delete = _connection.CreateCommand())
            {
                delete.Transaction = transaction;
                delete.CommandText = "DELETE FROM webhook_outbox WHERE url = $url;";
                SqliteParameter url = delete.Parameters.Add("$url", SqliteType.Text);
                foreach ((string target, _) in dropped)
                {
                    url.Value = target;
                    delete.ExecuteNonQuery();
                }
            }

            transaction.Commit();
            return dropped;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _connection.Dispose();
        }
    }

    /// <summary>
    /// Databases written before occurrences were recorded lack the column: added once (SQLite's ALTER TABLE ADD COLUMN
    /// keeps the rows; theirs stay null and the engine derives what it can, see <see cref="AlarmOccurrence.Before"/>).
    /// </summary>
    /// <summary>Adds a column a database from an earlier version lacks (its rows read it as null).</summary>
    private void AddColumn(string name, string type)
    {
        using SqliteCommand columns = _connection.CreateCommand();
        columns.CommandText = "SELECT count(*) FROM pragma_table_info('alarm_state') WHERE name = $name;";
        columns.Parameters.AddWithValue("$name", name);
        if ((long)columns.ExecuteScalar()! == 0)
        {
            Execute($"ALTER TABLE alarm_state ADD COLUMN {name} {type};");
        }
    }

    /// <summary>The <c>seq</c> member of a stored transition, 0 when it has none or cannot be read.</summary>
    private static long LastSeqOf(string body)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("seq", out System.Text.Json.JsonElement seq) && seq.TryGetInt64(out long value) ? value : 0;
        }
        catch (System.Text.Json.JsonException)
        {
            return 0;
        }
    }

    private void Execute(string sql)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
