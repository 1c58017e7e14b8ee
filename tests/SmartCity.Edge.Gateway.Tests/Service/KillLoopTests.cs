using System.Globalization;
using Xunit.Abstractions;

namespace SmartCity.Edge.Gateway.Tests.Service;

/// <summary>
/// kill -9 of the real binary at random moments, some aimed at WAL checkpoints and at a backlog's drain, while it polls
/// Modbus TCP, OPC UA and a simulator and publishes to a persistent mosquitto (<see cref="KillLoopCampaign"/>):
/// nothing committed is lost, each device's readings stay in order, held alarms stay raised. CI runs 10 kills;
/// <c>tests/fault/killloop.sh</c> runs 100 and writes the figures to docs/reliability.md
/// (<c>SMARTCITY_KILLLOOP_KILLS</c>, <c>SMARTCITY_KILLLOOP_SEED</c>, <c>SMARTCITY_KILLLOOP_BACKLOG_KIB</c> and
/// <c>SMARTCITY_KILLLOOP_REPORT</c> set the count, replay a seed, size the drained backlog and name the report file).
/// </summary>
public sealed class KillLoopTests
{
    private readonly ITestOutputHelper _output;

    public KillLoopTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task KillNine_AtRandomMomentsWhilePollingThreePeers_EverySeqArrivesInOrderAndHeldAlarmsStayRaised()
    {
        int kills = EnvironmentInt("SMARTCITY_KILLLOOP_KILLS") ?? 10;
        int seed = EnvironmentInt("SMARTCITY_KILLLOOP_SEED") ?? Random.Shared.Next();
        _output.WriteLine($"kill loop seed {seed} (replay: SMARTCITY_KILLLOOP_SEED={seed})");
        long backlogKib = EnvironmentInt("SMARTCITY_KILLLOOP_BACKLOG_KIB") ?? 48;
        KillLoopResult result = await new KillLoopCampaign(kills, seed, backlogKib * 1024, _output.WriteLine).RunAsync();
        _output.WriteLine(result.Summary());
        if (Environment.GetEnvironmentVariable("SMARTCITY_KILLLOOP_REPORT") is { Length: > 0 } report)
        {
            await File.WriteAllTextAsync(report, KillLoopReport.Markdown(result));
        }

        string context = result.Summary();
        Assert.True(result.Problems.Count == 0, string.Join("\n\n", result.Problems) + "\n" + context);
        Assert.True(result.Missing.Count == 0, $"committed seqs never delivered: {string.Join(", ", result.Missing.Take(50))}\n{context}");
        Assert.True(result.OrderViolations.Count == 0, string.Join("\n", result.OrderViolations.Take(20)) + "\n" + context);
        Assert.True(result.AlarmViolations.Count == 0, string.Join("\n", result.AlarmViolations) + "\n" + context);
        Assert.True(result.DistinctSeqs > 0 && result.HighestSeq >= result.DistinctSeqs, context);
        Assert.Equal(kills + 2, result.Runs.Count);
    }

    private static int? EnvironmentInt(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? int.Parse(value, CultureInfo.InvariantCulture) : null;
}
