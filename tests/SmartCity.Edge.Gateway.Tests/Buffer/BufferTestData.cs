using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Gateway.Buffer;

namespace SmartCity.Edge.Gateway.Tests.Buffer;

/// <summary>Opening buffers and making entries the way the pipeline does.</summary>
internal static class BufferTestData
{
    /// <summary>Generous; only bites when something hangs.</summary>
    public static readonly TimeSpan PassingTimeout = TimeSpan.FromSeconds(30);

    public static SqliteDurableBuffer Open(string directory, long maxDiskBytes = BufferOptions.DefaultMaxDiskBytes, ILogger<SqliteDurableBuffer>? logger = null, TimeProvider? timeProvider = null) =>
        new(new BufferOptions { DataDirectory = directory, MaxDiskBytes = maxDiskBytes }, logger ?? NullLogger<SqliteDurableBuffer>.Instance, timeProvider ?? TimeProvider.System);

    public static BufferEntry Telemetry(int i, string device = "dev-1") =>
        new(RecordKind.Telemetry, device, $"\"tag\":\"t{i % 7}\",\"value\":{i},\"quality\":\"good\",\"ts\":\"2026-11-25T12:00:00.123Z\"");

    public static BufferEntry Alarm(int i, string device = "dev-1") =>
        new(RecordKind.Alarm, device, $"\"alarm\":\"a{i}\",\"state\":\"active\",\"severity\":\"critical\",\"tag\":\"t1\",\"value\":{i},\"ts\":\"2026-11-25T12:00:00.123Z\"");

    public static BufferEntry[] TelemetryBatch(int start, int count, int padding = 0) =>
        Enumerable.Range(start, count).Select(i => padding == 0 ? Telemetry(i) : Telemetry(i) with { Body = Telemetry(i).Body + ",\"pad\":\"" + new string('x', padding) + "\"" }).ToArray();

    /// <summary>Every waiting record of a kind, oldest first.</summary>
    public static async Task<List<BufferedRecord>> ReadAllAsync(IDurableBuffer buffer, RecordKind kind)
    {
        var all = new List<BufferedRecord>();
        long after = 0;
        while (true)
        {
            IReadOnlyList<BufferedRecord> page = await buffer.ReadOldestAsync(kind, after, 1000, CancellationToken.None);
            if (page.Count == 0)
            {
                return all;
            }

            all.AddRange(page);
            after = page[^1].Seq;
        }
    }
}
