using System.Globalization;
using System.Text;

namespace SmartCity.Edge.Gateway.Tests.Service;

/// <summary>The kill loop's figures as the markdown section tests/fault/killloop.sh puts into docs/reliability.md.</summary>
internal static class KillLoopReport
{
    public static string Markdown(KillLoopResult result)
    {
        string binary = Integration.GatewayProcess.NativeBinary is null ? "JIT build (`dotnet smartcity-edge.dll`)" : "native AOT build";
        RunRecord[] killed = result.Runs.Where(r => r.Moment is KillMoment.Random or KillMoment.Checkpoint or KillMoment.Drain).ToArray();
        int checkpointHits = killed.Count(r => r.Moment == KillMoment.Checkpoint && r.Aim?.StartsWith("on a checkpoint", StringComparison.Ordinal) == true);
        RunRecord[] drains = killed.Where(r => r.Moment == KillMoment.Drain).ToArray();
        int reclaimedBeforeKill = drains.Count(r => r.Log.Contains("free space back to the disk", StringComparison.Ordinal));
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"""
            `tests/fault/killloop.sh --kills {result.Kills} --seed {result.Seed} --backlog-kib {result.BacklogBytes / 1024}` — the {binary}, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}.

            | figure | value |
            |---|---|
            | kills (SIGKILL) | {killed.Length}, plus the first run's after its alarms were raised: {killed.Count(r => r.Moment == KillMoment.Random)} at a random moment 0.2–3 s after the start, {killed.Count(r => r.Moment == KillMoment.Checkpoint)} aimed at a WAL checkpoint ({checkpointHits} on a checkpoint's first write to `buffer.db`), {drains.Length} into the drain of a backlog ({reclaimedBeforeKill} after the space was given back, {drains.Length - reclaimedBeforeKill} before or during it) |
            | readings and alarm transitions received | {result.Readings:N0} |
            | distinct seqs (1 to {result.HighestSeq:N0}) | {result.DistinctSeqs:N0} |
            | **missing** | **{result.Missing.Count}** |
            | duplicates (redelivered, same seq) | {result.Duplicates:N0} |
            | per-device order violations (seq, then ts per tag) | {result.OrderViolations.Count} |
            | held alarms raised again or cleared | {result.AlarmViolations.Count} |
            | restart to first publish (start of the process to the subscriber receiving its first own reading) | p50 {KillLoopResult.Percentile(result.RestartToFirstPublishMs, 0.5):0} ms, p99 {KillLoopResult.Percentile(result.RestartToFirstPublishMs, 0.99):0} ms, max {result.RestartToFirstPublishMs.DefaultIfEmpty(double.NaN).Max():0} ms ({result.RestartToFirstPublishMs.Count} runs; {result.RunsKilledBeforeFirstPublish} killed before their first publish; drain runs left out) |
            | process start to first poll (its first reading's `ts`) | p50 {KillLoopResult.Percentile(result.StartToFirstPollMs, 0.5):0} ms, p99 {KillLoopResult.Percentile(result.StartToFirstPollMs, 0.99):0} ms ({result.StartToFirstPollMs.Count} runs) |
            """);
        return text.ToString();
    }
}
