using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Hosting;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>
/// The alarm side of the durable buffer's database (<c>buffer.db</c>, tables <c>alarm_state</c> and
/// <c>webhook_outbox</c>, see <see cref="BufferSchema"/>): the last published state of every alarm (so a restart keeps
/// an active alarm active without a duplicate "active" message) and the webhook deliveries not yet acknowledged by
/// their receiver. A batch of transitions commits its buffer records, its states and its deliveries in ONE transaction
/// (<see cref="CommitAsync"/>), so a crash can neither repeat nor lose a transition or its webhook. Writes go through
/// the buffer's single writer, reads through its reader connection.
/// </summary>
/// <remarks>
/// Gateways before this kept both in <c>{data_dir}/alarms.db</c>: its content is imported once at the first start
/// (<see cref="LegacyAlarmsDatabase"/>).
/// </remarks>
internal sealed class AlarmStateStore
{
    private readonly SqliteDurableBuffer _buffer;

    /// <summary>The webhook URLs the outbox serves (<see cref="RetargetOutboxAsync"/>); null until set: every URL.</summary>
    private volatile HashSet<string>? _outboxTargets;

    public AlarmStateStore(SqliteDurableBuffer buffer, ILogger logger)
    {
        _buffer = buffer;
        LegacyAlarmsDatabase.Import(buffer, logger);
        if (buffer.MovedAsidePath is { } movedTo)
        {
            AlarmLog.StatesLostWithDamagedBuffer(logger, movedTo);
        }
    }

    /// <summary>The database file the states live in.</summary>
    public string Path => _buffer.DatabasePath;

    public IReadOnlyList<AlarmSnapshot> LoadStates() => _buffer.Query(static connection =>
    {
        using SqliteCommand command = connection.CreateCommand();
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

        return (IReadOnlyList<AlarmSnapshot>)states;
    });

    /// <summary>
    /// Commits a batch of transitions in one transaction: <paramref name="records"/> (one alarm record per transition,
    /// in order) to the buffer, and the rows <paramref name="rowsFor"/> renders from the first seq they got: each
    /// transition's state (a retired alarm's row is deleted) and its webhook deliveries. Returns the first seq.
    /// </summary>
    /// <remarks><paramref name="rowsFor"/> runs on the buffer's writer thread, possibly more than once: it must only compute.</remarks>
    /// <exception cref="BufferStorageException">Nothing was committed.</exception>
    public ValueTask<long> CommitAsync(IReadOnlyList<BufferEntry> records, Func<long, AlarmBatchRows> rowsFor, DateTimeOffset now, CancellationToken cancellationToken) =>
        _buffer.AppendAsync(records, (connection, firstSeq) =>
        {
            AlarmBatchRows rows = rowsFor(firstSeq);
            WriteRows(connection, rows, now, firstSeq);
            TestKillPoint.Reach(TestKillPoint.TransitionBeforeCommit);
        }, cancellationToken);

    /// <summary>Records states and deliveries that belong to no buffer record (tests; the states' occurrences must be assigned).</summary>
    public async ValueTask CommitRowsAsync(AlarmBatchRows rows, DateTimeOffset now, CancellationToken cancellationToken) =>
        await _buffer.ExecuteAsync(connection =>
        {
            WriteRows(connection, rows, now, firstSeq: null);
            return 0;
        }, cancellationToken).ConfigureAwait(false);

    /// <summary>The oldest waiting delivery for <paramref name="url"/>, or null.</summary>
    public (long Id, string Body)? PeekOutbox(Uri url) => _buffer.Query(connection =>
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT id, body FROM webhook_outbox WHERE url = $url ORDER BY id LIMIT 1;";
        command.Parameters.AddWithValue("$url", url.AbsoluteUri);
        using SqliteDataReader reader = command.ExecuteReader();
        return reader.Read() ? ((long, string)?)(reader.GetInt64(0), reader.GetString(1)) : null;
    });

    /// <summary>The receiver has delivery <paramref name="id"/>.</summary>
    public async ValueTask DeleteOutboxAsync(long id, CancellationToken cancellationToken) =>
        await _buffer.ExecuteAsync(connection =>
        {
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "DELETE FROM webhook_outbox WHERE id = $id;";
            command.Parameters.AddWithValue("$id", id);
            return command.ExecuteNonQuery();
        }, cancellationToken).ConfigureAwait(false);

    public long CountOutbox(Uri url) => _buffer.Query(connection =>
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM webhook_outbox WHERE url = $url;";
        command.Parameters.AddWithValue("$url", url.AbsoluteUri);
        return (long)command.ExecuteScalar()!;
    });

    /// <summary>
    /// Makes <paramref name="urls"/> the only webhooks the outbox serves (at start and on every reload): drops the
    /// deliveries queued for any other URL and, from then on, ignores deliveries to other URLs in a commit, so a batch
    /// of transitions prepared just before a reload cannot leave orphans for a removed webhook. Returns the number
    /// dropped per URL (only URLs that had any).
    /// </summary>
    public async ValueTask<IReadOnlyList<(string Url, int Dropped)>> RetargetOutboxAsync(IReadOnlyCollection<Uri> urls, CancellationToken cancellationToken)
    {
        HashSet<string> targets = urls.Select(u => u.AbsoluteUri).ToHashSet(StringComparer.Ordinal);
        _outboxTargets = targets;
        var dropped = new List<(string, int)>();
        await _buffer.ExecuteAsync(connection =>
        {
            dropped.Clear(); // the writer may run this again after a failed group
            using (SqliteCommand count = connection.CreateCommand())
            {
                count.CommandText = "SELECT url, count(*) FROM webhook_outbox GROUP BY url ORDER BY url;";
                using SqliteDataReader reader = count.ExecuteReader();
                while (reader.Read())
                {
                    if (!targets.Contains(reader.GetString(0)))
                    {
                        dropped.Add((reader.GetString(0), reader.GetInt32(1)));
                    }
                }
            }

            using SqliteCommand delete = connection.CreateCommand();
            delete.CommandText = "DELETE FROM webhook_outbox WHERE url = $url;";
            SqliteParameter url = delete.Parameters.Add("$url", SqliteType.Text);
            foreach ((string target, _) in dropped)
            {
                url.Value = target;
                delete.ExecuteNonQuery();
            }

            return dropped.Count;
        }, cancellationToken).ConfigureAwait(false);
        return dropped;
    }

    /// <summary>Upserts the states (deletes retired alarms' rows) and queues the deliveries; inside the writer's transaction.</summary>
    /// <param name="firstSeq">The seq of the first state's transition, the others following: an occurrence still unnamed is named by its transition's seq.</param>
    private void WriteRows(SqliteConnection connection, AlarmBatchRows rows, DateTimeOffset now, long? firstSeq)
    {
        using (SqliteCommand upsert = connection.CreateCommand())
        using (SqliteCommand delete = connection.CreateCommand())
        {
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
            delete.CommandText = "DELETE FROM alarm_state WHERE alarm = $alarm;";
            SqliteParameter retired = delete.Parameters.Add("$alarm", SqliteType.Text);
            for (int i = 0; i < rows.States.Count; i++)
            {
                (AlarmEvent alarmEvent, string json) = rows.States[i];
                if (alarmEvent.Retired)
                {
                    retired.Value = alarmEvent.Alarm.Id;
                    delete.ExecuteNonQuery();
                    continue;
                }

                // The occurrence is named by its first committed transition: this one when it is still unnamed.
                long? named = alarmEvent.Occurrence switch
                {
                    { Seq: > 0 } known => known.Seq,
                    not null when firstSeq is long first => first + i,
                    _ => null,
                };
                alarm.Value = alarmEvent.Alarm.Id;
                state.Value = alarmEvent.State.ToWire();
                since.Value = alarmEvent.Timestamp.ToString("O", CultureInfo.InvariantCulture);
                ack.Value = (object?)alarmEvent.Acknowledgement?.By ?? DBNull.Value;
                body.Value = json;
                occurrence.Value = named is long seq ? seq : DBNull.Value;
                activeSince.Value = alarmEvent.Occurrence?.ActivatedAt is { } activated ? activated.ToString("O", CultureInfo.InvariantCulture) : DBNull.Value;
                upsert.ExecuteNonQuery();
            }
        }

        HashSet<string>? targets = _outboxTargets;
        using SqliteCommand insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO webhook_outbox (url, body, created_at) VALUES ($url, $body, $at);";
        SqliteParameter target = insert.Parameters.Add("$url", SqliteType.Text);
        SqliteParameter delivery = insert.Parameters.Add("$body", SqliteType.Text);
        insert.Parameters.AddWithValue("$at", now.ToUnixTimeMilliseconds());
        foreach ((Uri url, string json) in rows.Outbox)
        {
            if (targets is not null && !targets.Contains(url.AbsoluteUri))
            {
                continue; // the webhook was removed by a reload while this batch was being prepared
            }

            target.Value = url.AbsoluteUri;
            delivery.Value = json;
            insert.ExecuteNonQuery();
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
}
