using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Tests.Alarms;

/// <summary>Alarm states and the webhook outbox (tables of buffer.db) survive a reopen; the outbox is per URL and in order.</summary>
public sealed class AlarmStateStoreTests : IDisposable
{
    private static readonly Uri s_hook = new("https://desk.example/hook");
    private static readonly Uri s_other = new("https://other.example/hook");
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-alarmdb-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Commit_ThenReopen_RestoresLastStatePerAlarmAndQueuedDeliveriesInOrder()
    {
        DateTimeOffset t0 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        using (var store = new OpenAlarmStore(_directory))
        {
            store.Commit([(Event("a1", AlarmLifecycle.Active, t0), "{1}"), (Event("a2", AlarmLifecycle.Active, t0), "{2}")], [(s_hook, "{1}"), (s_other, "{x}"), (s_hook, "{2}")], t0);
            store.Commit([(Event("a1", AlarmLifecycle.Acknowledged, t0.AddSeconds(5), "desk-1"), "{3}")], [(s_hook, "{3}")], t0);
        }

        using var reopened = new OpenAlarmStore(_directory);
        AlarmSnapshot[] states = reopened.Store.LoadStates().OrderBy(s => s.AlarmId, StringComparer.Ordinal).ToArray();
        Assert.Equal(2, states.Length);
        Assert.Equal(("a1", AlarmLifecycle.Acknowledged, "desk-1", t0.AddSeconds(5)), (states[0].AlarmId, states[0].State, states[0].AcknowledgedBy, states[0].Since));
        Assert.Equal(("a2", AlarmLifecycle.Active), (states[1].AlarmId, states[1].State));

        Assert.Equal(["{1}", "{2}", "{3}"], Drain(reopened, s_hook));
        Assert.Equal(1, reopened.Store.CountOutbox(s_other));
    }

    [Fact]
    public void Commit_AcknowledgedOccurrence_ThenReopen_KeepsItsFirstActivation()
    {
        // The status page shows when an acknowledged alarm first became active, also after a restart.
        DateTimeOffset activated = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        var occurrence = new AlarmOccurrence(41) { ActivatedAt = activated };
        using (var store = new OpenAlarmStore(_directory))
        {
            store.Commit([(Event("a1", AlarmLifecycle.Active, activated) with { Occurrence = occurrence }, "{1}")], [], activated);
            store.Commit([(Event("a1", AlarmLifecycle.Acknowledged, activated.AddMinutes(3), "alice") with { Occurrence = occurrence }, "{2}")], [], activated);
        }

        using var reopened = new OpenAlarmStore(_directory);
        AlarmSnapshot state = Assert.Single(reopened.Store.LoadStates());
        Assert.Equal((AlarmLifecycle.Acknowledged, "alice", activated.AddMinutes(3), 41L, activated), (state.State, state.AcknowledgedBy, state.Since, state.Occurrence, state.ActiveSince));
    }

    [Fact]
    public void RetargetOutbox_UrlNoLongerConfigured_DropsOnlyItsDeliveries_AndCountsThemPerUrl()
    {
        using var store = new OpenAlarmStore(_directory);
        store.Commit([], [(s_hook, "{1}"), (s_other, "{2}"), (s_other, "{3}")], DateTimeOffset.UnixEpoch);

        IReadOnlyList<(string Url, int Dropped)> dropped = Retarget(store, [s_hook]);

        Assert.Equal([(s_other.AbsoluteUri, 2)], dropped);
        Assert.Equal(1, store.Store.CountOutbox(s_hook));
        Assert.Null(store.Store.PeekOutbox(s_other));
    }

    [Fact]
    public void Commit_AfterRetarget_SkipsDeliveriesToUrlsNoLongerServed()
    {
        // A batch prepared with the old webhook list, committed after a reload removed one of them.
        using var store = new OpenAlarmStore(_directory);
        Retarget(store, [s_hook]);

        store.Commit([], [(s_hook, "{1}"), (s_other, "{2}")], DateTimeOffset.UnixEpoch);

        Assert.Equal(1, store.Store.CountOutbox(s_hook));
        Assert.Equal(0, store.Store.CountOutbox(s_other));
    }

    [Fact]
    public void Commit_Retirement_DeletesTheAlarmsRow_OthersKept()
    {
        DateTimeOffset t0 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        using (var store = new OpenAlarmStore(_directory))
        {
            store.Commit([(Event("a1", AlarmLifecycle.Active, t0), "{1}"), (Event("a2", AlarmLifecycle.Active, t0), "{2}")], [], t0);
            store.Commit([(Event("a1", AlarmLifecycle.Cleared, t0.AddSeconds(1)) with { Previous = AlarmLifecycle.Active, Retired = true }, "{3}")], [(s_hook, "{3}")], t0);
        }

        using var reopened = new OpenAlarmStore(_directory);
        Assert.Equal(["a2"], reopened.Store.LoadStates().Select(s => s.AlarmId));
        Assert.Equal("{3}", reopened.Store.PeekOutbox(s_hook)?.Body);
    }

    [Fact]
    public void Commit_Occurrence_RestoredWithTheLastSeq()
    {
        DateTimeOffset t0 = DateTimeOffset.UnixEpoch;
        using (var store = new OpenAlarmStore(_directory))
        {
            AlarmEvent active = Event("a1", AlarmLifecycle.Active, t0) with { Occurrence = new AlarmOccurrence(41) };
            store.Commit([(active, "{\"alarm\":\"a1\",\"state\":\"active\",\"seq\":41}")], [], t0);
            store.Commit([(active with { State = AlarmLifecycle.UnacknowledgedCleared }, "{\"alarm\":\"a1\",\"occurrence\":41,\"seq\":45}")], [], t0);
        }

        using var reopened = new OpenAlarmStore(_directory);
        AlarmSnapshot snapshot = Assert.Single(reopened.Store.LoadStates());
        Assert.Equal((AlarmLifecycle.UnacknowledgedCleared, 41L, 45L), (snapshot.State, snapshot.Occurrence, snapshot.LastSeq));
    }

    [Fact]
    public void Open_LegacyAlarmsDbFromBeforeOccurrences_ImportedIntoBufferDbAndRenamed()
    {
        using (var old = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + Path.Combine(_directory, "alarms.db") + ";Pooling=False"))
        {
            old.Open();
            using Microsoft.Data.Sqlite.SqliteCommand create = old.CreateCommand();
            create.CommandText = """
                PRAGMA journal_mode=WAL;
                CREATE TABLE alarm_state (alarm TEXT PRIMARY KEY, state TEXT NOT NULL, since TEXT NOT NULL, ack_by TEXT, body TEXT NOT NULL) WITHOUT ROWID;
                INSERT INTO alarm_state VALUES ('a1', 'active', '1970-01-01T00:00:00.0000000+00:00', NULL, '{"alarm":"a1","seq":30}');
                CREATE TABLE webhook_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL);
                INSERT INTO webhook_outbox (url, body, created_at) VALUES ('https://desk.example/hook', '{a}', 1), ('https://other.example/hook', '{x}', 2), ('https://desk.example/hook', '{b}', 3);
                """;
            create.ExecuteNonQuery();
        }

        var logger = new Buffer.CollectingLogger<AlarmStateStore>();
        using (var store = new OpenAlarmStore(_directory, logger))
        {
            AlarmSnapshot snapshot = Assert.Single(store.Store.LoadStates());
            Assert.Equal((AlarmLifecycle.Active, (long?)null, 30L), (snapshot.State, snapshot.Occurrence, snapshot.LastSeq));
            Assert.Equal(["{a}", "{b}"], Drain(store, s_hook));
            Assert.Equal(1, store.Store.CountOutbox(s_other));
            Assert.Contains("1 alarm states and 3 queued webhook deliveries", Assert.Single(logger.WithEventId(1341)).Message);
        }

        Assert.False(File.Exists(Path.Combine(_directory, "alarms.db")));
        Assert.True(File.Exists(Path.Combine(_directory, "alarms.db.imported")));

        // Reopened: from buffer.db alone.
        using var reopened = new OpenAlarmStore(_directory);
        Assert.Equal("a1", Assert.Single(reopened.Store.LoadStates()).AlarmId);
    }

    [Fact]
    public void Open_LegacyFileLeftByACrashAfterTheImportCommitted_RenamedNotImportedTwice()
    {
        WriteLegacy("a1");
        using (var store = new OpenAlarmStore(_directory))
        {
            Assert.Single(store.Store.LoadStates());
        }

        // As if the gateway had died between the import's commit and the rename: the file is back.
        File.Move(Path.Combine(_directory, "alarms.db.imported"), Path.Combine(_directory, "alarms.db"));
        using (var old = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + Path.Combine(_directory, "alarms.db") + ";Pooling=False"))
        {
            old.Open();
            using Microsoft.Data.Sqlite.SqliteCommand add = old.CreateCommand();
            add.CommandText = "INSERT INTO alarm_state VALUES ('a2', 'active', '1970-01-01T00:00:00.0000000+00:00', NULL, '{}', 8, NULL);";
            add.ExecuteNonQuery();
        }

        using var reopened = new OpenAlarmStore(_directory);
        Assert.Equal(["a1"], reopened.Store.LoadStates().Select(s => s.AlarmId));
        Assert.False(File.Exists(Path.Combine(_directory, "alarms.db")));
    }

    [Fact]
    public void Open_LegacyFileDamaged_MovedAsideLoggedAndStartsWithoutStates()
    {
        File.WriteAllBytes(Path.Combine(_directory, "alarms.db"), System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("not a database ", 600))));

        var logger = new Buffer.CollectingLogger<AlarmStateStore>();
        using var store = new OpenAlarmStore(_directory, logger);

        Assert.Empty(store.Store.LoadStates());
        Assert.True(File.Exists(Path.Combine(_directory, "alarms.db.corrupt")));
        Assert.False(File.Exists(Path.Combine(_directory, "alarms.db")));
        Buffer.LogEntry logged = Assert.Single(logger.WithEventId(1342));
        Assert.Contains("raised again as a new occurrence", logged.Message);
    }

    [Fact]
    public async Task CommitAsync_RowsFailInsideTheTransaction_NeitherRecordNorStateNorDeliveryCommitted()
    {
        using var store = new OpenAlarmStore(_directory);
        DateTimeOffset t0 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        AlarmEvent active = Event("a1", AlarmLifecycle.Active, t0);
        BufferEntry[] records = [BufferEntry.ForAlarm(AlarmRecord.From(active))];

        // The state row is written, then the delivery fails (a URL that is none): the whole transaction rolls back.
        await Assert.ThrowsAnyAsync<Exception>(async () => await store.Store.CommitAsync(records, first =>
            new AlarmBatchRows([(active, "{1}")], [(null!, "{1}")]), t0, CancellationToken.None));

        Assert.Equal(0, store.Buffer.GetStatistics().LastSeq);
        Assert.Equal(0, store.Buffer.GetStatistics().AlarmCount);
        Assert.Empty(store.Store.LoadStates());
        Assert.Null(store.Store.PeekOutbox(s_hook));

        // The same batch commits whole once it can; the opening transition names its occurrence by its own seq.
        active = active with { Occurrence = new AlarmOccurrence() };
        long first = await store.Store.CommitAsync(records, seq => new AlarmBatchRows([(active, "{seq:" + seq + "}")], [(s_hook, "{seq:" + seq + "}")]), t0, CancellationToken.None);
        Assert.Equal(1, store.Buffer.GetStatistics().AlarmCount);
        Assert.Equal((first, "{seq:1}"), (Assert.Single(store.Store.LoadStates()).Occurrence!.Value, store.Store.PeekOutbox(s_hook)?.Body));
    }

    private void WriteLegacy(string alarm)
    {
        using var old = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + Path.Combine(_directory, "alarms.db") + ";Pooling=False");
        old.Open();
        using Microsoft.Data.Sqlite.SqliteCommand create = old.CreateCommand();
        create.CommandText = $"""
            CREATE TABLE alarm_state (alarm TEXT PRIMARY KEY, state TEXT NOT NULL, since TEXT NOT NULL, ack_by TEXT, body TEXT NOT NULL, occurrence INTEGER, active_since TEXT) WITHOUT ROWID;
            INSERT INTO alarm_state VALUES ('{alarm}', 'active', '1970-01-01T00:00:00.0000000+00:00', NULL, '{"{}"}', 7, NULL);
            """;
        create.ExecuteNonQuery();
    }

    private static List<string> Drain(OpenAlarmStore store, Uri url)
    {
        var delivered = new List<string>();
        while (store.Store.PeekOutbox(url) is { } next)
        {
            delivered.Add(next.Body);
            store.Store.DeleteOutboxAsync(next.Id, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }

        return delivered;
    }

    private static IReadOnlyList<(string Url, int Dropped)> Retarget(OpenAlarmStore store, Uri[] urls) =>
        store.Store.RetargetOutboxAsync(urls, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    private static AlarmEvent Event(string id, AlarmLifecycle state, DateTimeOffset at, string? by = null)
    {
        var alarm = new AlarmDefinition(id, AlarmKind.Rule, "dev", "t", null, AlarmSeverity.High, id, TimeSpan.Zero, TimeSpan.Zero, false, []);
        return new AlarmEvent(alarm, state, AlarmLifecycle.Cleared, TagValue.FromDouble(1), "t", id, null, at, by is null ? null : new AlarmAcknowledgement(by, null, at), 0);
    }
}
