using System.Globalization;
using System.Text.Json;
using SmartCity.Edge.Gateway.Tests.Cli;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Service;

/// <summary>
/// The kill loop of the fault campaign (issue 15, item 1): the real gateway binary polls a Modbus TCP server
/// (pymodbus), an OPC UA server (node-opcua) and a simulator and publishes to a persistent mosquitto, and is ended
/// with SIGKILL again and again at seeded random moments, some aimed at a WAL checkpoint and some at the drain of a
/// backlog (with its incremental-vacuum steps). One subscriber with a persistent session stays up throughout and
/// records what arrives and when. <see cref="KillLoopTests"/> runs a short loop in CI; <c>tests/fault/killloop.sh</c>
/// runs the long one and writes its figures to docs/reliability.md.
/// </summary>
internal sealed class KillLoopCampaign
{
    public const string Prefix = "smartcity/lab/kill-gw";

    /// <summary>Alarms whose condition holds the whole time (a constant Modbus register, a constant simulator tag).</summary>
    public static readonly string[] HeldAlarms = ["meter-level-high", "sim-held-high"];

    private readonly int _kills;
    private readonly long _backlogBytes;
    private readonly int _seed;
    private readonly Action<string> _progress;
    private readonly List<Arrival> _arrivals = [];
    private readonly SemaphoreSlim _arrived = new(0);
    private TaskCompletionSource _databaseWritten = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="kills">SIGKILLs after the first run's.</param>
    /// <param name="seed">Seeds the moments.</param>
    /// <param name="backlogBytes">
    /// Growth of buffer.db the drain moment waits for while the broker is frozen. From 320 KiB the drain frees more than
    /// 64 pages, so the buffer then gives the space back in incremental-vacuum steps; the readings here take ~7 bytes
    /// each in their frames, so that backlog takes ~40 s to build (the on-demand run; CI builds a smaller one).
    /// </param>
    /// <param name="progress">Told after each kill.</param>
    public KillLoopCampaign(int kills, int seed, long backlogBytes, Action<string> progress)
    {
        _kills = kills;
        _backlogBytes = backlogBytes;
        _seed = seed;
        _progress = progress;
    }

    public async Task<KillLoopResult> RunAsync()
    {
        string directory = Directory.CreateTempSubdirectory("edge-killloop-").FullName;
        string dataDir = Directory.CreateDirectory(Path.Combine(directory, "data")).FullName;
        string database = Path.Combine(dataDir, "buffer.db");
        try
        {
            await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
            await using PeerProcess modbus = await PeerProcess.StartAsync("/usr/bin/python3", Path.Combine(PeerProcess.PeersDirectory, "modbus", "pymodbus_server.py"), "tcp", "0", "--quiet");
            await using PeerProcess opcua = await PeerProcess.StartAsync("node", Path.Combine(PeerProcess.PeersDirectory, "opcua", "server.js"), "0", Path.Combine(directory, "ua-pki"));
            await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(broker.Port, Prefix + "/#");
            string config = TestConfigs.Write(directory, Config(dataDir, broker.Port, modbus.Port, opcua.Port));
            using var stopPump = new CancellationTokenSource();
            Task pump = PumpAsync(subscriber, stopPump.Token);

            // In WAL mode SQLite writes the database file itself only when it checkpoints (inotify tells at once).
            using var watcher = new FileSystemWatcher(dataDir, "buffer.db") { NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size };
            watcher.Changed += (_, _) => _databaseWritten.TrySetResult();
            watcher.EnableRaisingEvents = true;

            var random = new Random(_seed);
            var runs = new List<RunRecord>();
            var problems = new List<string>();
            try
            {
                // First run: the held alarms are raised and every device publishes before anything is killed.
                DateTime firstStart = DateTime.UtcNow;
                await using (GatewayProcess first = GatewayProcess.Start("run", "--config", config))
                {
                    await WaitForArrivalsAsync(first, a => HeldAlarms.All(id => a.Any(x => x.Alarm == id && x.State == "active"))
                        && DeviceIds.All(d => a.Any(x => x.Device == d && x.Readings.Length > 0)), "the held alarms raised and every device published");
                    await first.KillAsync();
                    runs.Add(new RunRecord(runs.Count, KillMoment.AfterStartUp, firstStart, DateTime.UtcNow, first.Log, null));
                }

                for (int i = 0; i < _kills; i++)
                {
                    KillMoment moment = (i % 8) switch { 2 or 6 => KillMoment.Checkpoint, 7 => KillMoment.Drain, _ => KillMoment.Random };
                    int delayMs = 200 + random.Next(2801);
                    int extraMs = random.Next(1000);
                    DateTime started = DateTime.UtcNow;
                    await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
                    await Task.Delay(delayMs); // the random moment under test, not synchronisation
                    string? aim = moment switch
                    {
                        KillMoment.Checkpoint => await AwaitCheckpointAsync(),
                        KillMoment.Drain => await FreezeUntilBacklogThenThawAsync(broker, database, _backlogBytes, extraMs),
                        _ => null,
                    };
                    if (gateway.HasExited)
                    {
                        problems.Add($"run {runs.Count}: the gateway ended by itself (exit {gateway.ExitCode}) before its kill; log:\n{gateway.Log}");
                    }

                    await gateway.KillAsync();
                    runs.Add(new RunRecord(runs.Count, moment, started, DateTime.UtcNow, gateway.Log, aim));
                    _progress($"kill {i + 1}/{_kills}: {moment} after {(DateTime.UtcNow - started).TotalMilliseconds:0} ms{(aim is null ? string.Empty : $" ({aim})")}");
                }

                // The last run forwards what the killed ones committed: until every device has published readings taken
                // well after it started, so their seqs lie above everything committed before.
                DateTime lastStart = DateTime.UtcNow;
                await using (GatewayProcess last = GatewayProcess.Start("run", "--config", config))
                {
                    DateTime fresh = lastStart.AddSeconds(1);
                    await WaitForArrivalsAsync(last, a => DeviceIds.All(d => a.Any(x => x.Device == d && x.Readings.Any(r => r.Ts > fresh))), "every device publishing after the last start");
                    await last.TerminateAsync();
                    if (last.ExitCode != 0)
                    {
                        problems.Add($"the last run stopped with exit code {last.ExitCode}; log:\n{last.Log}");
                    }

                    runs.Add(new RunRecord(runs.Count, KillMoment.None, lastStart, DateTime.UtcNow, last.Log, null));
                }
            }
            finally
            {
                await stopPump.CancelAsync();
                await pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            Arrival[] arrivals;
            lock (_arrivals)
            {
                arrivals = [.. _arrivals];
            }

            return KillLoopResult.From(_kills, _seed, _backlogBytes, arrivals, runs, problems);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    public static readonly string[] DeviceIds = ["meter", "plc", "sim"];

    /// <summary>Kills on the next write of a checkpoint to buffer.db (or, if none comes within the timeout, anyway).</summary>
    private async Task<string> AwaitCheckpointAsync()
    {
        Volatile.Write(ref _databaseWritten, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await Volatile.Read(ref _databaseWritten).Task.WaitAsync(TestTimeouts.Short);
            return "on a checkpoint's first write to buffer.db";
        }
        catch (TimeoutException)
        {
            return "no checkpoint came";
        }
    }

    /// <summary>
    /// Freezes the broker until buffer.db has grown by <paramref name="backlogBytes"/> (a backlog), thaws it and waits
    /// <paramref name="extraMs"/> into the drain (the forwarder's deletes, then the incremental-vacuum steps that give
    /// the space back) before the kill.
    /// </summary>
    private static async Task<string> FreezeUntilBacklogThenThawAsync(MosquittoBroker broker, string database, long backlogBytes, int extraMs)
    {
        long before = FileLength(database);
        broker.Freeze(true);
        try
        {
            DateTime deadline = DateTime.UtcNow + TestTimeouts.Long;
            while (FileLength(database) < before + backlogBytes && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20); // polling a file size, which offers no notification
            }
        }
        finally
        {
            broker.Freeze(false);
        }

        long grown = FileLength(database) - before;
        await Task.Delay(extraMs); // the random moment under test, not synchronisation
        return $"buffer.db grew {grown / 1024} KiB while the broker was frozen, killed {extraMs} ms into the drain";
    }

    private static long FileLength(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? file.Length : 0;
    }

    private async Task WaitForArrivalsAsync(GatewayProcess gateway, Func<List<Arrival>, bool> done, string what)
    {
        DateTime deadline = DateTime.UtcNow + TestTimeouts.Long;
        while (true)
        {
            lock (_arrivals)
            {
                if (done(_arrivals))
                {
                    return;
                }
            }

            TimeSpan remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero || !await _arrived.WaitAsync(remaining))
            {
                throw new TimeoutException($"not reached within {TestTimeouts.Long.TotalSeconds}s: {what} (seed {_seed}); gateway log:\n{gateway.Log}");
            }
        }
    }

    private async Task PumpAsync(MqttTestSubscriber subscriber, CancellationToken cancellationToken)
    {
        await foreach (ReceivedMessage message in subscriber.Messages.ReadAllAsync(cancellationToken))
        {
            if (Arrival.TryParse(DateTime.UtcNow, message) is { } arrival)
            {
                lock (_arrivals)
                {
                    _arrivals.Add(arrival);
                }

                _arrived.Release();
            }
        }
    }

    /// <summary>16 counters (a new value every poll, so every reading is published) and one constant that holds an alarm.</summary>
    private static string SimulatorTags() =>
        string.Concat(Enumerable.Range(1, 16).Select(i => $"      - {{ id: c{i}, signal: counter, min: 0, max: 1000000000 }}\n"))
        + "      - { id: held, signal: constant, value: 95 }";

    private static string Config(string dataDir, int brokerPort, int modbusPort, int opcuaPort) => $"""
        gateway:
          id: kill-gw
          site: lab
          data_dir: {dataDir}
        buffer:
          # Small: the WAL reserve is 256 KiB, so SQLite checkpoints every ~30 pages (often enough to aim kills at).
          max_disk: 2MiB
        devices:
          - id: meter
            driver: modbus-tcp
            host: 127.0.0.1
            port: {modbusPort}
            unit_id: 1
            poll_interval: 50ms
            tags:
              - id: reads
                address: "holding:980"
                type: uint16
              - id: level
                address: "holding:1"
                type: uint16
          - id: plc
            driver: opcua
            endpoint: opc.tcp://127.0.0.1:{opcuaPort}
            security:
              policy: None
              mode: None
            poll_interval: 1s
            publishing_interval: 100ms
            tags:
              - id: counter
                node: "ns=1;s=Dynamic.Counter"
          - id: sim
            driver: simulator
            poll_interval: 10ms
            tags:
        {SimulatorTags()}
        alarms:
          - id: meter-level-high
            tag: meter/level
            above: 50000
            severity: high
            message: level register held high
          - id: sim-held-high
            tag: sim/held
            above: 90
            severity: warning
            message: simulated value held high
        upstream:
          mqtt:
            server: mqtt://127.0.0.1:{brokerPort}
            client_id: kill-gw
            topic_prefix: {Prefix}
            qos: 1
        """;
}

/// <summary>Where in a run the kill was aimed.</summary>
internal enum KillMoment
{
    /// <summary>The last run: stopped with SIGTERM, not killed.</summary>
    None,

    /// <summary>The first run, once the alarms were raised and every device had published.</summary>
    AfterStartUp,

    /// <summary>0.2–3 s after the start.</summary>
    Random,

    /// <summary>After 0.2–3 s, on the next checkpoint's first write to buffer.db.</summary>
    Checkpoint,

    /// <summary>After 0.2–3 s the broker is frozen until a backlog builds, then thawed; killed 0–1 s into the drain.</summary>
    Drain,
}

/// <summary>One run of the gateway: when it started, when it was killed (or stopped), its log.</summary>
internal sealed record RunRecord(int Index, KillMoment Moment, DateTime Started, DateTime Ended, string Log, string? Aim);

/// <summary>One received message, parsed once: its readings or its alarm transition, stamped with its arrival.</summary>
internal sealed record Arrival(DateTime At, string? Device, ArrivedReading[] Readings, string? Alarm, string? State, long AlarmSeq)
{
    public static Arrival? TryParse(DateTime at, ReceivedMessage message)
    {
        if (message.Topic.Contains("/telemetry/", StringComparison.Ordinal))
        {
            JsonElement json = message.Json;
            ArrivedReading[] readings = json.GetProperty("readings").EnumerateArray()
                .Select(r => new ArrivedReading(r.GetProperty("tag").GetString()!, r.GetProperty("seq").GetInt64(), r.GetProperty("ts").GetDateTime().ToUniversalTime()))
                .ToArray();
            return new Arrival(at, json.GetProperty("device").GetString(), readings, null, null, 0);
        }

        if (message.Topic.EndsWith("/alarms", StringComparison.Ordinal))
        {
            JsonElement json = message.Json;
            return new Arrival(at, null, [], json.GetProperty("alarm").GetString(), json.GetProperty("state").GetString(), json.GetProperty("seq").GetInt64());
        }

        return null;
    }
}

internal sealed record ArrivedReading(string Tag, long Seq, DateTime Ts);

/// <summary>What the kill loop saw: losses, duplicates, order, alarms and restart times.</summary>
internal sealed record KillLoopResult(
    int Kills,
    int Seed,
    long BacklogBytes,
    IReadOnlyList<RunRecord> Runs,
    long Readings,
    long DistinctSeqs,
    long Duplicates,
    long HighestSeq,
    IReadOnlyList<long> Missing,
    IReadOnlyList<string> OrderViolations,
    IReadOnlyList<string> AlarmViolations,
    IReadOnlyList<string> Problems,
    IReadOnlyList<double> RestartToFirstPublishMs,
    IReadOnlyList<double> StartToFirstPollMs,
    int RunsKilledBeforeFirstPublish)
{
    public static KillLoopResult From(int kills, int seed, long backlogBytes, Arrival[] arrivals, List<RunRecord> runs, List<string> problems)
    {
        // Every seq: readings and alarm transitions share one gateway-wide sequence.
        var seqs = new List<long>();
        seqs.AddRange(arrivals.SelectMany(a => a.Readings.Select(r => r.Seq)));
        seqs.AddRange(arrivals.Where(a => a.Alarm is not null).Select(a => a.AlarmSeq));
        var distinct = new HashSet<long>(seqs);

        // Missing: from 1 to the lowest per-device high-water mark (each device's messages arrive in seq order, so
        // nothing below it can still be on its way; see TelemetryLog.MissingSeqs).
        long upTo = KillLoopCampaign.DeviceIds.Select(d => arrivals.Where(a => a.Device == d).SelectMany(a => a.Readings).Select(r => r.Seq).DefaultIfEmpty(0).Max()).Min();
        var missing = new List<long>();
        for (long seq = 1; seq <= upTo; seq++)
        {
            if (!distinct.Contains(seq))
            {
                missing.Add(seq);
            }
        }

        // Order: per device, first arrivals of each seq strictly increasing; per tag, ts never going back along seq.
        var orderViolations = new List<string>();
        var seen = new HashSet<long>();
        var lastSeq = new Dictionary<string, long>(StringComparer.Ordinal);
        var firstArrivals = new List<(string Device, ArrivedReading Reading)>();
        foreach (Arrival arrival in arrivals.Where(a => a.Device is not null))
        {
            foreach (ArrivedReading reading in arrival.Readings)
            {
                if (!seen.Add(reading.Seq))
                {
                    continue;
                }

                if (lastSeq.TryGetValue(arrival.Device!, out long previous) && reading.Seq <= previous)
                {
                    orderViolations.Add($"{arrival.Device}: seq {reading.Seq} arrived after {previous}");
                }

                lastSeq[arrival.Device!] = reading.Seq;
                firstArrivals.Add((arrival.Device!, reading));
            }
        }

        foreach (IGrouping<(string, string), (string Device, ArrivedReading Reading)> tag in firstArrivals.GroupBy(x => (x.Device, x.Reading.Tag)))
        {
            ArrivedReading? before = null;
            foreach ((_, ArrivedReading reading) in tag.OrderBy(x => x.Reading.Seq))
            {
                if (before is not null && reading.Ts < before.Ts)
                {
                    orderViolations.Add($"{tag.Key.Item1}/{tag.Key.Item2}: seq {reading.Seq} has ts {reading.Ts:O}, before seq {before.Seq}'s {before.Ts:O}");
                }

                before = reading;
            }
        }

        // Alarms: each held alarm raised once (one seq, however often redelivered), never cleared, and every run that
        // got as far as restoring alarm states found them raised.
        var alarmViolations = new List<string>();
        foreach (string alarm in KillLoopCampaign.HeldAlarms)
        {
            long[] raised = arrivals.Where(a => a.Alarm == alarm && a.State == "active").Select(a => a.AlarmSeq).Distinct().ToArray();
            if (raised.Length != 1)
            {
                alarmViolations.Add($"{alarm}: raised {raised.Length} times (seqs {string.Join(", ", raised)}), expected once");
            }

            foreach (Arrival other in arrivals.Where(a => a.Alarm == alarm && a.State != "active"))
            {
                alarmViolations.Add($"{alarm}: transition to {other.State} (seq {other.AlarmSeq})");
            }
        }

        foreach (RunRecord run in runs.Skip(1))
        {
            if (RestoredLine(run.Log) is { } line && RaisedCount(line) < KillLoopCampaign.HeldAlarms.Length)
            {
                alarmViolations.Add($"run {run.Index}: {line}");
            }
        }

        // Restart times: the first reading a run polled itself (Modbus and simulator readings are stamped when read;
        // OPC UA's carry the server's source time) and when it reached the subscriber.
        var toPublish = new List<double>();
        var toPoll = new List<double>();
        int unpublished = 0;
        foreach (RunRecord run in runs)
        {
            bool Own(ArrivedReading r) => r.Ts >= run.Started && r.Ts <= run.Ended;
            Arrival[] own = arrivals.Where(a => a.Device is "sim" or "meter" && a.Readings.Any(Own)).ToArray();
            if (own.Length > 0)
            {
                toPoll.Add((own.SelectMany(a => a.Readings).Where(Own).Min(r => r.Ts) - run.Started).TotalMilliseconds);
            }

            // Published by this run: arrived before it was killed (a later run forwards what a killed one left). Not
            // measured for drain runs: the broker may have been frozen before their first publish.
            if (run.Moment == KillMoment.Drain)
            {
                continue;
            }

            if (own.Where(a => a.At <= run.Ended).MinBy(a => a.At) is { } first)
            {
                toPublish.Add((first.At - run.Started).TotalMilliseconds);
            }
            else
            {
                unpublished++;
            }
        }

        foreach (RunRecord run in runs)
        {
            if (run.Log.Contains("is damaged", StringComparison.Ordinal))
            {
                problems.Add($"run {run.Index}: a database was found damaged after a kill:\n{run.Log}");
            }
        }

        return new KillLoopResult(kills, seed, backlogBytes, runs, seqs.Count, distinct.Count, seqs.Count - distinct.Count, distinct.Count > 0 ? distinct.Max() : 0,
            missing, orderViolations, alarmViolations, problems, toPublish, toPoll, unpublished);
    }

    /// <summary>The Raised of "Restored {Count} alarm states from {Path} ({Raised} raised)".</summary>
    private static int RaisedCount(string line)
    {
        int end = line.LastIndexOf(" raised)", StringComparison.Ordinal);
        int start = line.LastIndexOf('(', end) + 1;
        return end > start && int.TryParse(line.AsSpan(start, end - start), NumberStyles.None, CultureInfo.InvariantCulture, out int raised) ? raised : -1;
    }

    private static string? RestoredLine(string log) =>
        log.Split('\n').FirstOrDefault(l => l.Contains("alarm states from", StringComparison.Ordinal));

    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        double[] sorted = [.. values.Order()];
        // Nearest rank: the smallest value with at least p of the values at or below it.
        int rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"seed {Seed}: {Kills} kills ({string.Join(", ", Runs.Where(r => r.Moment is KillMoment.Random or KillMoment.Checkpoint or KillMoment.Drain).GroupBy(r => r.Moment).Select(g => $"{g.Count()} {g.Key}"))}), "
        + $"{Readings} readings and transitions received, {DistinctSeqs} distinct seqs up to {HighestSeq}, {Missing.Count} missing, {Duplicates} duplicates; "
        + $"restart to first publish p50 {Percentile(RestartToFirstPublishMs, 0.5):0} ms p99 {Percentile(RestartToFirstPublishMs, 0.99):0} ms, "
        + $"start to first poll p50 {Percentile(StartToFirstPollMs, 0.5):0} ms p99 {Percentile(StartToFirstPollMs, 0.99):0} ms "
        + $"({RestartToFirstPublishMs.Count} runs published, {RunsKilledBeforeFirstPublish} killed before their first publish)");
}
