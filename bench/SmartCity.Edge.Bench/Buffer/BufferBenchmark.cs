using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Buffer.Storage;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Bench.Buffer;

/// <summary>
/// Throughput of <see cref="SqliteDurableBuffer"/> on this machine's disk, with the real durability settings
/// (WAL, synchronous=FULL): append, read (oldest first, as the forwarder does) and delete (acknowledged ranges).
/// </summary>
internal sealed class BufferBenchmark : IBenchmark
{
    private const int DistinctBodies = 1024;

    public string Name => "buffer";

    public string Description => "durable buffer append/read/delete records/s, CPU-µs per record, peak RSS [--records N] [--dir PATH] [--no-report]";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int records = 500_000;
        string? baseDirectory = null;
        bool writeReport = true;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--records" when i + 1 < args.Length:
                    records = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--dir" when i + 1 < args.Length:
                    baseDirectory = args[++i];
                    break;
                case "--no-report":
                    writeReport = false;
                    break;
                default:
                    Console.Error.WriteLine($"buffer: unknown option '{args[i]}'");
                    return 2;
            }
        }

        baseDirectory ??= Path.Combine(Path.GetTempPath(), "smartcity-bench-buffer-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        string[] bodies = Enumerable.Range(0, DistinctBodies)
            .Select(i => $"\"tag\":\"smoke_zone{i % 16}\",\"value\":{i * 0.37:F2},\"quality\":\"good\",\"ts\":\"2026-11-25T12:00:{i % 60:D2}.{i % 1000:D3}Z\"")
            .ToArray();

        var rows = new List<Result>();
        foreach ((int batchSize, int producers) in new (int, int)[] { (100, 1), (1000, 1), (100, 4) })
        {
            string directory = Path.Combine(baseDirectory, $"b{batchSize}-p{producers}");
            try
            {
                Result result = await RunScenarioAsync(directory, records, batchSize, producers, bodies, cancellationToken);
                rows.Add(result);
                Console.WriteLine(result.ToMarkdownRow());
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        string capDirectory = Path.Combine(baseDirectory, "at-cap");
        AtCapResult atCap;
        try
        {
            atCap = await RunAtCapScenarioAsync(capDirectory, records, 1000, 32L << 20, bodies, cancellationToken);
            Console.WriteLine(atCap.ToMarkdownRow());
            Console.WriteLine(atCap.Drain.ToMarkdownRow());
        }
        finally
        {
            Directory.Delete(capDirectory, recursive: true);
        }

        var markdown = new StringBuilder();
        markdown.AppendLine("## buffer — durable store-and-forward buffer (SQLite, WAL, synchronous=FULL)");
        markdown.AppendLine();
        string options = args.Length == 0 ? "" : " " + string.Join(' ', args);
        markdown.AppendLine($"Command: `dotnet run -c Release --project bench/SmartCity.Edge.Bench -- buffer{options}`  ");
        markdown.AppendLine($"Machine: {BenchmarkReport.MachineLine()}; database under `{Path.GetTempPath()}`.  ");
        markdown.AppendLine($"{records:N0} telemetry records per scenario (bodies ≈ {bodies[0].Length} chars). Append: each producer awaits `AppendAsync` of one batch at a time " +
            "(every call returns after its fsynced commit; concurrent calls share a commit). Read: `ReadOldestAsync` pages of the batch size, oldest first. " +
            "Delete: `DeleteThroughAsync` per batch-size range, oldest first. CPU-µs = process CPU time (all threads, incl. SQLite) / records. " +
            "Peak RSS: VmHWM, reset before each scenario. " +
            "The database uses `auto_vacuum=INCREMENTAL` (so a drained buffer can give its space back): every commit that allocates or frees pages also " +
            "rewrites a pointer-map page, about one more WAL frame per commit, which shows most in the small-batch rows.");
        markdown.AppendLine();
        markdown.AppendLine("| batch | producers | append rec/s | append CPU-µs/rec | append alloc B/rec | append commits | read rec/s | read CPU-µs/rec | delete rec/s | delete CPU-µs/rec | peak RSS MiB |");
        markdown.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (Result row in rows)
        {
            markdown.AppendLine(row.ToMarkdownRow());
        }

        markdown.AppendLine();
        markdown.AppendLine("Appending while `max_disk` is reached (upstream down for long): every commit also evicts the oldest telemetry in the same transaction. " +
            "`max_disk` caps the files on disk (database + WAL + shm); \"used\" is the records' pages, \"on disk\" the three files after the run.");
        markdown.AppendLine();
        markdown.AppendLine("| batch | max_disk | append rec/s | append CPU-µs/rec | evicted | used bytes after | on disk after | peak RSS MiB |");
        markdown.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        markdown.AppendLine(atCap.ToMarkdownRow());
        markdown.AppendLine();
        markdown.AppendLine("Then the drain: one `DeleteThroughAsync` of everything, after which the writer gives the free pages back in incremental-vacuum steps " +
            "while idle. Meanwhile a producer keeps appending one record at a time (each a full fsynced commit), to show how long a step holds an append up.");
        markdown.AppendLine();
        markdown.AppendLine("| on disk before drain | on disk after | steps | until given back ms | appends meanwhile | mean append ms | longest append ms |");
        markdown.AppendLine("|---:|---:|---:|---:|---:|---:|---:|");
        markdown.AppendLine(atCap.Drain.ToMarkdownRow());

        if (writeReport)
        {
            BenchmarkReport.WriteSection(Name, markdown.ToString());
        }
        else
        {
            Console.WriteLine(markdown);
        }

        return 0;
    }

    private static async Task<Result> RunScenarioAsync(string directory, int records, int batchSize, int producers, string[] bodies, CancellationToken cancellationToken)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        ResetPeakRss();
        await using var buffer = new SqliteDurableBuffer(
            new BufferOptions { DataDirectory = directory, MaxDiskBytes = 8L << 30 }, NullLogger<SqliteDurableBuffer>.Instance, TimeProvider.System);

        // Append: batches are built before timing (the pipeline builds them anyway) and reused.
        int batchesPerProducer = records / producers / batchSize;
        int appended = batchesPerProducer * batchSize * producers;
        BufferEntry[][] batches = Enumerable.Range(0, producers * 4).Select(b => Enumerable.Range(0, batchSize)
            .Select(i => Record($"device-{(b * batchSize + i) % 32}", bodies[(b * batchSize + i) % bodies.Length]))
            .ToArray()).ToArray();
        long commitsBefore = buffer.CommitCount;
        Measurement append = await MeasureAsync(async () =>
        {
            Task[] tasks = Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
            {
                for (int b = 0; b < batchesPerProducer; b++)
                {
                    await buffer.AppendAsync(batches[p * 4 + (b % 4)], cancellationToken);
                }
            }, cancellationToken)).ToArray();
            await Task.WhenAll(tasks);
        });
        long appendCommits = buffer.CommitCount - commitsBefore;

        long read = 0;
        Measurement reading = await MeasureAsync(async () =>
        {
            long after = 0;
            while (true)
            {
                IReadOnlyList<BufferedFrame> page = await buffer.ReadFramesAsync(after, batchSize, cancellationToken);
                if (page.Count == 0)
                {
                    break;
                }

                read += page.Count;
                after = page[^1].LastSeq;
            }
        });
        if (read != appended)
        {
            throw new InvalidOperationException($"read {read} records, appended {appended}");
        }

        long lastSeq = buffer.GetStatistics().LastSeq;
        long firstSeq = lastSeq - appended + 1;
        Measurement deleting = await MeasureAsync(async () =>
        {
            for (long through = firstSeq + batchSize - 1; through < lastSeq + batchSize; through += batchSize)
            {
                await buffer.AcknowledgeAsync(BufferOptions.DefaultUpstream, RecordKind.Telemetry, Math.Min(through, lastSeq), cancellationToken);
            }
        });
        if (buffer.GetStatistics().TelemetryCount != 0)
        {
            throw new InvalidOperationException("records left after deleting everything");
        }

        return new Result(batchSize, producers, appended, append, appendCommits, reading, deleting, ReadPeakRssBytes());
    }

    private static async Task<AtCapResult> RunAtCapScenarioAsync(string directory, int records, int batchSize, long maxDiskBytes, string[] bodies, CancellationToken cancellationToken)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        ResetPeakRss();
        await using var buffer = new SqliteDurableBuffer(
            new BufferOptions { DataDirectory = directory, MaxDiskBytes = maxDiskBytes }, NullLogger<SqliteDurableBuffer>.Instance, TimeProvider.System);
        BufferEntry[] batch = Enumerable.Range(0, batchSize)
            .Select(i => Record($"device-{i % 32}", bodies[i % bodies.Length]))
            .ToArray();

        // Fill up to the cap first (not timed).
        while (buffer.GetStatistics().DroppedTelemetry == 0)
        {
            await buffer.AppendAsync(batch, cancellationToken);
        }

        long droppedBefore = buffer.GetStatistics().DroppedTelemetry;
        int batches = records / batchSize;
        Measurement append = await MeasureAsync(async () =>
        {
            for (int b = 0; b < batches; b++)
            {
                await buffer.AppendAsync(batch, cancellationToken);
            }
        });
        BufferStatistics statistics = buffer.GetStatistics();
        long peakRss = ReadPeakRssBytes();
        DrainResult drain = await RunDrainAsync(buffer, bodies, cancellationToken);
        return new AtCapResult(batchSize, maxDiskBytes, (long)batches * batchSize, append, statistics.DroppedTelemetry - droppedBefore, statistics.UsedBytes, statistics.DiskBytes, peakRss, drain);
    }

    /// <summary>Deletes everything and times the maintenance that gives the space back, appending single records meanwhile.</summary>
    private static async Task<DrainResult> RunDrainAsync(SqliteDurableBuffer buffer, string[] bodies, CancellationToken cancellationToken)
    {
        long diskBefore = buffer.GetStatistics().DiskBytes;
        long stepsBefore = buffer.ReclaimSteps;
        BufferEntry[] probe = [Record("device-probe", bodies[0])];
        var wall = Stopwatch.StartNew();
        await buffer.AcknowledgeAsync(BufferOptions.DefaultUpstream, RecordKind.Telemetry, buffer.GetStatistics().LastSeq, cancellationToken);
        Task idle = buffer.WhenMaintenanceIdleAsync();
        int appends = 0;
        TimeSpan total = TimeSpan.Zero;
        TimeSpan longest = TimeSpan.Zero;
        while (!idle.IsCompleted)
        {
            long start = Stopwatch.GetTimestamp();
            await buffer.AppendAsync(probe, cancellationToken);
            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
            total += elapsed;
            longest = elapsed > longest ? elapsed : longest;
            appends++;
        }

        await idle;
        wall.Stop();
        return new DrainResult(diskBefore, buffer.GetStatistics().DiskBytes, buffer.ReclaimSteps - stepsBefore, wall.Elapsed, appends,
            appends == 0 ? TimeSpan.Zero : total / appends, longest);
    }

    private static async Task<Measurement> MeasureAsync(Func<Task> action)
    {
        using var process = Process.GetCurrentProcess();
        TimeSpan cpuBefore = process.TotalProcessorTime;
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var wall = Stopwatch.StartNew();
        await action();
        wall.Stop();
        process.Refresh();
        return new Measurement(wall.Elapsed, process.TotalProcessorTime - cpuBefore, GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore);
    }

    /// <summary>Resets VmHWM (Linux: writing 5 to clear_refs), so each scenario reports its own peak.</summary>
    private static void ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not Linux or not allowed: the figure is then the process peak so far.
        }
    }

    private static long ReadPeakRssBytes()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }

    private readonly record struct Measurement(TimeSpan Wall, TimeSpan Cpu, long AllocatedBytes);

    /// <summary>
    /// One record as this benchmark has measured the buffer since before frames: a frame of one reading whose value is
    /// <paramref name="body"/> (so row sizes stay comparable with the figures above).
    /// </summary>
    private static BufferEntry Record(string device, string body)
    {
        var table = new TagTable(device, [new TagTableEntry("t", TagDataType.String)]);
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        new FrameBodyWriter().Write(output, [TagReading.Good(0, TagValue.FromString(body), DateTimeOffset.UnixEpoch)], [0]);
        return BufferEntry.Frame(table, output.WrittenMemory, 1);
    }

    private sealed record AtCapResult(int BatchSize, long MaxDiskBytes, long Records, Measurement Append, long Evicted, long UsedBytes, long DiskBytes, long PeakRssBytes, DrainResult Drain)
    {
        public string ToMarkdownRow() => string.Create(CultureInfo.InvariantCulture,
            $"| {BatchSize} | {MaxDiskBytes >> 20} MiB | {Records / Append.Wall.TotalSeconds:N0} | {Append.Cpu.TotalMicroseconds / Records:F2} | {Evicted:N0} | {UsedBytes:N0} | {DiskBytes:N0} | {PeakRssBytes / (1024.0 * 1024):F0} |");
    }

    private sealed record DrainResult(long DiskBytesBefore, long DiskBytesAfter, long Steps, TimeSpan UntilIdle, int Appends, TimeSpan MeanAppend, TimeSpan LongestAppend)
    {
        public string ToMarkdownRow() => string.Create(CultureInfo.InvariantCulture,
            $"| {DiskBytesBefore:N0} | {DiskBytesAfter:N0} | {Steps:N0} | {UntilIdle.TotalMilliseconds:F0} | {Appends:N0} | {MeanAppend.TotalMilliseconds:F2} | {LongestAppend.TotalMilliseconds:F2} |");
    }

    private sealed record Result(int BatchSize, int Producers, long Records, Measurement Append, long AppendCommits, Measurement Read, Measurement Delete, long PeakRssBytes)
    {
        public string ToMarkdownRow() => string.Create(CultureInfo.InvariantCulture,
            $"| {BatchSize} | {Producers} | {Rate(Append):N0} | {CpuPerRecord(Append):F2} | {(double)Append.AllocatedBytes / Records:F0} | {AppendCommits:N0} | {Rate(Read):N0} | {CpuPerRecord(Read):F2} | {Rate(Delete):N0} | {CpuPerRecord(Delete):F2} | {PeakRssBytes / (1024.0 * 1024):F0} |");

        private double Rate(Measurement m) => Records / m.Wall.TotalSeconds;

        private double CpuPerRecord(Measurement m) => m.Cpu.TotalMicroseconds / Records;
    }
}
