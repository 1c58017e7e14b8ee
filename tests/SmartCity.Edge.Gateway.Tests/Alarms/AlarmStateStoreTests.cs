using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Tests.Alarms;

/// <summary>alarms.db: alarm states and the webhook outbox survive a reopen; the outbox is per URL and in order.</summary>
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
        using (var store = new AlarmStateStore(_directory))
        {
            store.Commit([(Event("a1", AlarmLifecycle.Active, t0), "{1}"), (Event("a2", AlarmLifecycle.Active, t0), "{2}")], [(s_hook, "{1}"), (s_other, "{x}"), (s_hook, "{2}")], t0);
            store.Commit([(Event("a1", AlarmLifecycle.Acknowledged, t0.AddSeconds(5), "desk-1"), "{3}")], [(s_hook, "{3}")], t0);
        }

        using var reopened = new AlarmStateStore(_directory);
        AlarmSnapshot[] states = reopened.LoadStates().OrderBy(s => s.AlarmId, StringComparer.Ordinal).ToArray();
        Assert.Equal(2, states.Length);
        Assert.Equal(("a1", AlarmLifecycle.Acknowledged, "desk-1", t0.AddSeconds(5)), (states[0].AlarmId, states[0].State, states[0].AcknowledgedBy, states[0].Since));
        Assert.Equal(("a2", AlarmLifecycle.Active), (states[1].AlarmId, states[1].State));

        var delivered = new List<string>();
        while (reopened.PeekOutbox(s_hook) is { } next)
        {
            delivered.Add(next.Body);
            reopened.DeleteOutbox(next.Id);
        }

        Assert.Equal(["{1}", "{2}", "{3}"], delivered);
        Assert.Equal(1, reopened.CountOutbox(s_other));
    }

    [Fact]
    public void Commit_AcknowledgedOccurrence_ThenReopen_KeepsItsFirstActivation()
    {
        // The status page shows when an acknowledged alarm first became active, also after a restart.
        DateTimeOffset activated = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        var occurrence = new AlarmOccurrence(41) { ActivatedAt = activated };
        using (var store = new AlarmStateStore(_directory))
        {
            store.Commit([(Event("a1", AlarmLifecycle.Active, activated) with { Occurrence = occurrence }, "{1}")], [], activated);
            store.Commit([(Event("a1", AlarmLifecycle.Acknowledged, activated.AddMinutes(3), "alice") with { Occurrence = occurrence }, "{2}")], [], activated);
        }

        using var reopened = new AlarmStateStore(_directory);
        AlarmSnapshot state = Assert.Single(reopened.LoadStates());
        Assert.Equal((AlarmLifecycle.Acknowledged, "alice", activated.AddMinutes(3), 41L, activated), (state.State, state.AcknowledgedBy, state.Since, state.Occurrence, state.ActiveSince));
    }

    [Fact]
    public void RetargetOutbox_UrlNoLongerConfigured_DropsOnlyItsDeliveries_AndCountsThemPerUrl()
    {
        using var store = new AlarmStateStore(_directory);
        store.Commit([], [(s_hook, "{1}"), (s_other, "{2}"), (s_other, "{3}")], DateTimeOffset.UnixEpoch);

        IReadOnlyList<(string Url, int Dropped)> dropped = store.RetargetOutbox([s_hook]);

        Assert.Equal([(s_other.AbsoluteUri, 2)], dropped);
        Assert.Equal(1, store.CountOutbox(s_hook));
        Assert.Null(store.PeekOutbox(s_other));
    }

    [Fact]
    public void Commit_AfterRetarget_SkipsDeliveriesToUrlsNoLongerServed()
    {
        // A batch prepared with the old webhook list, committed after a reload removed one of them.
        using var store = new AlarmStateStore(_directory);
        store.RetargetOutbox([s_hook]);

        store.Commit([], [(s_hook, "{1}"), (s_other, "{2}")], DateTimeOffset.UnixEpoch);

        Assert.Equal(1, store.CountOutbox(s_hook));
        Assert.Equal(0, store.CountOutbox(s_other));
    }

    [Fact]
    public void Commit_Retirement_DeletesTheAlarmsRow_OthersKept()
    {
        DateTimeOffset t0 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        using (var store = new AlarmStateStore(_directory))
        {
            store.Commit([(Event("a1", AlarmLifecycle.Active, t0), "{1}"), (Event("a2", AlarmLifecycle.Active, t0), "{2}")], [], t0);
            store.Commit([(Event("a1", AlarmLifecycle.Cleared, t0.AddSeconds(1)) with { Previous = AlarmLifecycle.Active, Retired = true }, "{3}")], [(s_hook, "{3}")], t0);
        }

        using var reopened = new AlarmStateStore(_directory);
        Assert.Equal(["a2"], reopened.LoadStates().Select(s => s.AlarmId));
        Assert.Equal("{3}", reopened.PeekOutbox(s_hook)?.Body);
    }

    [Fact]
    public void Commit_Occurrence_RestoredWithTheLastSeq()
    {
        DateTimeOffset t0 = DateTimeOffset.UnixEpoch;
        using (var store = new AlarmStateStore(_directory))
        {
            AlarmEvent active = Event("a1", AlarmLifecycle.Active, t0) with { Occurrence = new AlarmOccurrence(41) };
            store.Commit([(active, "{\"alarm\":\"a1\",\"state\":\"active\",\"seq\":41}")], [], t0);
            store.Commit([(active with { State = AlarmLifecycle.UnacknowledgedCleared }, "{\"alarm\":\"a1\",\"occurrence\":41,\"seq\":45}")], [], t0);
        }

        using var reopened = new AlarmStateStore(_directory);
        AlarmSnapshot snapshot = Assert.Single(reopened.LoadStates());
        Assert.Equal((AlarmLifecycle.UnacknowledgedCleared, 41L, 45L), (snapshot.State, snapshot.Occurrence, snapshot.LastSeq));
    }

    [Fact]
    public void Open_DatabaseFromBeforeOccurrences_AddsTheColumnAndKeepsTheRows()
    {
        using (var old = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + Path.Combine(_directory, "alarms.db") + ";Pooling=False"))
        {
            old.Open();
            using Microsoft.Data.Sqlite.SqliteCommand create = old.CreateCommand();
            create.CommandText = """
                CREATE TABLE alarm_state (alarm TEXT PRIMARY KEY, state TEXT NOT NULL, since TEXT NOT NULL, ack_by TEXT, body TEXT NOT NULL) WITHOUT ROWID;
                INSERT INTO alarm_state VALUES ('a1', 'active', '1970-01-01T00:00:00.0000000+00:00', NULL, '{"alarm":"a1","seq":30}');
                """;
            create.ExecuteNonQuery();
        }

        using var store = new AlarmStateStore(_directory);
        AlarmSnapshot snapshot = Assert.Single(store.LoadStates());
        Assert.Equal((AlarmLifecycle.Active, (long?)null, 30L), (snapshot.State, snapshot.Occurrence, snapshot.LastSeq));
    }

    private static AlarmEvent Event(string id, AlarmLifecycle state, DateTimeOffset at, string? by = null)
    {
        var alarm = new AlarmDefinition(id, AlarmKind.Rule, "dev", "t", null, AlarmSeverity.High, id, TimeSpan.Zero, TimeSpan.Zero, false, []);
        return new AlarmEvent(alarm, state, AlarmLifecycle.Cleared, TagValue.FromDouble(1), "t", id, null, at, by is null ? null : new AlarmAcknowledgement(by, null, at), 0);
    }
}
