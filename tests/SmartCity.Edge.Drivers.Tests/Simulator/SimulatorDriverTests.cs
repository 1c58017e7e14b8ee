using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Drivers.Configuration;
using SmartCity.Edge.Drivers.Simulator;

namespace SmartCity.Edge.Drivers.Tests.Simulator;

public sealed class SimulatorDriverTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Toggle_OpenForFirstHalfOfEachPeriod()
    {
        List<Reading> readings = await PollAtAsync("{ id: gate, signal: toggle, period: 10s }", [0, 4, 5, 9, 10]);

        Assert.Equal([true, true, false, false, true], readings.Select(r => r.Value.AsBoolean()));
    }

    [Fact]
    public async Task Sine_StartsMidRangeAndPeaksAtQuarterPeriod()
    {
        List<Reading> readings = await PollAtAsync("{ id: smoke, signal: sine, min: 0, max: 14, period: 60s }", [0, 15, 45]);

        Assert.Equal([7.0, 14.0, 0.0], readings.Select(r => r.Value.AsDouble()));
    }

    [Fact]
    public async Task Counter_CountsPerPollAndWrapsToMin()
    {
        List<Reading> readings = await PollAtAsync("{ id: n, signal: counter, min: 5, max: 7 }", [0, 1, 2, 3]);

        Assert.Equal([5L, 6L, 7L, 5L], readings.Select(r => r.Value.AsInt64()));
        Assert.All(readings, r => Assert.Equal(Quality.Good, r.Quality));
    }

    [Fact]
    public async Task RandomWalk_StaysWithinBounds()
    {
        List<Reading> readings = await PollAtAsync("{ id: w, signal: random_walk, min: 2, max: 3, step: 5 }", Enumerable.Range(0, 200).Select(i => (double)i).ToArray());

        Assert.All(readings, r => Assert.InRange(r.Value.AsDouble(), 2, 3));
        Assert.True(readings.Select(r => r.Value.AsDouble()).Distinct().Count() > 10);
    }

    [Fact]
    public void ReadSettings_UnknownSignal_ReportsChoicesWithSuggestion()
    {
        var context = new ConfigContext("t.yaml", _ => null);
        ConfigSection root = ConfigDocument.Parse("tags:\n  - { id: a, signal: sinus }\n", context)!;
        IReadOnlyList<ConfigSection> tags = root.GetSectionList("tags");
        var device = new DeviceDescriptor("d", "simulator", TimeSpan.FromSeconds(1), [new TagDescriptor("a", null)]);

        new SimulatorDriverFactory().ReadSettings(device, root, tags);

        ConfigProblem problem = Assert.Single(context.Problems.All);
        Assert.Equal("t.yaml:2:22 tags[0].signal: 'sinus' is not one of constant | sine | random_walk | toggle | counter (did you mean 'sine'?)", problem.ToString());
    }

    private async Task<List<Reading>> PollAtAsync(string tagYaml, double[] seconds)
    {
        var context = new ConfigContext("t.yaml", _ => null);
        ConfigSection root = ConfigDocument.Parse($"tags:\n  - {tagYaml}\n", context)!;
        IReadOnlyList<ConfigSection> tags = root.GetSectionList("tags");
        var device = new DeviceDescriptor("d", "simulator", TimeSpan.FromSeconds(1), [new TagDescriptor(tags[0].GetRequiredString("id"), null)]);
        var factory = new SimulatorDriverFactory();
        DriverSettings settings = factory.ReadSettings(device, root, tags);
        Assert.Empty(context.Problems.All);

        var sink = new CollectingSink(device.Tags);
        await using IDeviceDriver driver = factory.Create(device, settings, new DriverContext(NullLoggerFactory.Instance, _time, "/tmp"));
        await driver.ConnectAsync(sink, CancellationToken.None);
        DateTimeOffset start = _time.GetUtcNow();
        foreach (double s in seconds)
        {
            _time.SetUtcNow(start.AddSeconds(s));
            await driver.PollAsync(CancellationToken.None);
        }

        return [.. sink.All];
    }
}
