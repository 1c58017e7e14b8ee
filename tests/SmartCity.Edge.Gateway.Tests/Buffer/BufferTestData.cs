using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Audit;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Buffer.Storage;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Tests.Buffer;

/// <summary>A waiting record as the buffer tests compare it: its seqs, kind, device and content in words.</summary>
/// <param name="Body">A frame's readings as <c>tag=value</c> joined by <c>;</c>; an alarm's <c>id:message</c>; an audit record's <c>id:requested</c>.</param>
internal sealed record StoredRecord(long Seq, long LastSeq, RecordKind Kind, string DeviceId, string Body);

/// <summary>Opening buffers and making entries the way the pipeline does.</summary>
internal static class BufferTestData
{
    /// <summary>Only bites when something hangs: <see cref="TestTimeouts.Passing"/>, named here for the buffer tests.</summary>
    public static TimeSpan PassingTimeout => TestTimeouts.Passing;

    public static readonly DateTimeOffset Timestamp = new(2026, 11, 25, 12, 0, 0, 123, TimeSpan.Zero);

    public static SqliteDurableBuffer Open(string directory, long maxDiskBytes = BufferOptions.DefaultMaxDiskBytes, ILogger<SqliteDurableBuffer>? logger = null, TimeProvider? timeProvider = null, IReadOnlyList<string>? upstreams = null) =>
        new(new BufferOptions { DataDirectory = directory, MaxDiskBytes = maxDiskBytes, Upstreams = upstreams ?? [BufferOptions.DefaultUpstream] }, logger ?? NullLogger<SqliteDurableBuffer>.Instance, timeProvider ?? TimeProvider.System);

    /// <summary>The tag table of <paramref name="device"/>: tags t0 … t6.</summary>
    public static TagTable Table(string device = "dev-1") => new(device, Enumerable.Range(0, 7).Select(t => new TagTableEntry("t" + t, TagDataType.Unknown)));

    /// <summary>A frame of one reading: tag t(i mod 7) = i, or a text of <paramref name="padding"/> characters.</summary>
    public static BufferEntry Telemetry(int i, string device = "dev-1", int padding = 0) =>
        Frame(device, TagReading.Good(i % 7, padding == 0 ? TagValue.FromInt64(i) : TagValue.FromString(i + new string('x', padding)), Timestamp));

    /// <summary>A frame of the readings given.</summary>
    public static BufferEntry Frame(string device, params TagReading[] readings)
    {
        var body = new ArrayBufferWriter<byte>();
        new FrameBodyWriter().Write(body, readings, Enumerable.Range(0, readings.Length).ToArray());
        return BufferEntry.Frame(Table(device), body.WrittenMemory, readings.Length);
    }

    /// <summary>A frame of <paramref name="count"/> readings, tags t0, t1, … with values <paramref name="first"/>, first + 1, ….</summary>
    public static BufferEntry Frame(int first, int count, string device = "dev-1") =>
        Frame(device, Enumerable.Range(0, count).Select(i => TagReading.Good(i % 7, TagValue.FromInt64(first + i), Timestamp)).ToArray());

    public static BufferEntry Alarm(int i, string device = "dev-1", int padding = 0) => BufferEntry.ForAlarm(new AlarmRecord(
        "a" + i, AlarmLifecycle.Active, AlarmLifecycle.Cleared, AlarmSeverity.Critical, device, "t1", TagValue.FromInt64(i), "m" + i + new string('p', padding), Timestamp));

    /// <summary>An operator's write attempt: alice writes i + 0.5 to plc/door (token a-i), with a reason of <paramref name="padding"/> characters.</summary>
    public static AuditRecord AuditRecordOf(int i, string device = "plc", int padding = 0) => new(
        "write", "mqtt", "alice", "desk-1", "a-" + i, device, "door", TagValue.FromInt64(i), TagValue.FromDouble(i + 0.5), TagValue.None,
        AuditOutcome.Ok, null, padding == 0 ? null : new string('r', padding), Timestamp);

    public static BufferEntry AuditEntry(int i, string device = "plc", int padding = 0) => BufferEntry.ForAudit(AuditRecordOf(i, device, padding));

    public static BufferEntry[] TelemetryBatch(int start, int count, int padding = 0) =>
        Enumerable.Range(start, count).Select(i => Telemetry(i, padding: padding)).ToArray();

    /// <summary>What <see cref="StoredRecord.Body"/> says for an entry.</summary>
    public static string BodyOf(BufferEntry entry) => entry.Kind switch
    {
        RecordKind.Alarm => entry.Alarm!.AlarmId + ":" + entry.Alarm.Message,
        RecordKind.Audit => Describe(entry.Audit!),
        _ => Describe(entry.Table!, entry.Body.Span),
    };

    /// <summary>Every waiting record of a kind, oldest first.</summary>
    public static async Task<List<StoredRecord>> ReadAllAsync(IDurableBuffer buffer, RecordKind kind)
    {
        var all = new List<StoredRecord>();
        long after = 0;
        while (true)
        {
            int before = all.Count;
            if (kind == RecordKind.Alarm)
            {
                foreach (BufferedAlarm alarm in await buffer.ReadAlarmsAsync(after, 1000, CancellationToken.None))
                {
                    all.Add(new StoredRecord(alarm.Seq, alarm.Seq, RecordKind.Alarm, alarm.Record.DeviceId, alarm.Record.AlarmId + ":" + alarm.Record.Message));
                }
            }
            else if (kind == RecordKind.Audit)
            {
                foreach (AuditRecord audit in await buffer.ReadAuditAsync(after, 1000, CancellationToken.None))
                {
                    all.Add(new StoredRecord(audit.Seq, audit.Seq, RecordKind.Audit, audit.DeviceId ?? "", Describe(audit)));
                }
            }
            else
            {
                foreach (BufferedFrame frame in await buffer.ReadFramesAsync(after, 1000, CancellationToken.None))
                {
                    all.Add(new StoredRecord(frame.FirstSeq, frame.LastSeq, RecordKind.Telemetry, frame.Table.DeviceId, Describe(frame.Table, frame.Body.Span)));
                }
            }

            if (all.Count == before)
            {
                return all;
            }

            after = all[^1].LastSeq;
        }
    }

    /// <summary>Every waiting reading's seq, oldest first (a frame gives one per reading).</summary>
    public static async Task<List<long>> ReadingSeqsAsync(IDurableBuffer buffer) =>
        (await ReadAllAsync(buffer, RecordKind.Telemetry)).SelectMany(r => Enumerable.Range(0, (int)(r.LastSeq - r.Seq + 1)).Select(i => r.Seq + i)).ToList();

    private static string Describe(AuditRecord audit) => audit.TokenId + ":" + audit.Requested;

    private static string Describe(TagTable table, ReadOnlySpan<byte> body)
    {
        var reader = new FrameBodyReader(body, table.Count);
        var parts = new List<string>();
        while (reader.TryRead(out StoredReading reading))
        {
            parts.Add(table[reading.TagIndex].Id + "=" + reading.ToTagValue());
        }

        return string.Join(";", parts);
    }
}
