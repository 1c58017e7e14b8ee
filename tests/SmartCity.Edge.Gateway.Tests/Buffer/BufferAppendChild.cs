using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Gateway.Buffer;

namespace SmartCity.Edge.Gateway.Tests.Buffer;

/// <summary>
/// Child-process mode for the kill test: producers append to the buffer without end and print one line per
/// committed batch, <c>committed PRODUCER BATCH FIRSTSEQ COUNT end</c>, only after <see cref="IDurableBuffer.AppendAsync"/>
/// returned. A batch holds frames of 1–3 readings, alarm and audit records (COUNT is seqs). The trailing <c>end</c> lets the
/// parent ignore a line cut short by the kill.
/// </summary>
internal static class BufferAppendChild
{
    public const string Mode = "buffer-append-child";
    public const int BatchSize = 20;

    /// <summary>Seqs a batch takes: entries 0 and 10 are alarms, 5 and 15 audit records (1 each), the other 16 frames of 1–3 readings.</summary>
    public const int SeqsPerBatch = 4 + (16 * 2);

    public static RecordKind Kind(int index) => (index % 10) switch
    {
        0 => RecordKind.Alarm,
        5 => RecordKind.Audit,
        _ => RecordKind.Telemetry,
    };

    /// <summary>Readings of entry <paramref name="index"/> of a batch: 1, 2 or 3 (alarm and audit records 1).</summary>
    public static int Readings(int index) => Kind(index) == RecordKind.Telemetry ? 1 + (index % 3) : 1;

    /// <summary>The entry's content as <see cref="BufferTestData.ReadAllAsync"/> describes it.</summary>
    public static string Body(int producer, int batch, int index) => BufferTestData.BodyOf(Entry(producer, batch, index));

    public static BufferEntry Entry(int producer, int batch, int index) => Kind(index) switch
    {
        RecordKind.Alarm => BufferTestData.Alarm((producer * 1_000_000) + (batch * 100) + index, $"device-{producer}"),
        RecordKind.Audit => BufferTestData.AuditEntry((producer * 1_000_000) + (batch * 100) + index, $"device-{producer}"),
        _ => BufferTestData.Frame($"device-{producer}", Enumerable.Range(0, Readings(index))
            .Select(r => Drivers.TagReading.Good(r, Drivers.TagValue.FromString($"{producer}/{batch}/{index}/{r}"), BufferTestData.Timestamp)).ToArray()),
    };

    public static async Task<int> RunAsync(string[] args)
    {
        string directory = args[0];
        int producers = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
        await using var buffer = new SqliteDurableBuffer(new BufferOptions { DataDirectory = directory }, NullLogger<SqliteDurableBuffer>.Instance, TimeProvider.System);
        var output = new object();
        Console.Out.WriteLine("ready");

        Task[] tasks = Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            for (int batch = 0; ; batch++)
            {
                var entries = new BufferEntry[BatchSize];
                for (int i = 0; i < BatchSize; i++)
                {
                    entries[i] = Entry(p, batch, i);
                }

                long first = await buffer.AppendAsync(entries, CancellationToken.None);
                lock (output)
                {
                    Console.Out.WriteLine($"committed {p} {batch} {first} {SeqsPerBatch} end");
                    Console.Out.Flush();
                }
            }
        })).ToArray();

        await Task.WhenAll(tasks); // never completes: the parent kills this process
        return 0;
    }
}
