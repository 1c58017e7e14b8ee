using SmartCity.Edge.Drivers.Gpio;

namespace SmartCity.Edge.Drivers.Tests.Gpio;

/// <summary>The debounce state machine on its own: edges and deadlines in, decisions out.</summary>
public sealed class GpioDebouncerTests
{
    private static readonly DateTimeOffset s_t0 = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan s_debounce = TimeSpan.FromMilliseconds(50);

    [Fact]
    public void OnEdge_FirstEdgeOfBurst_ArmsDeadlineOneDebounceLater()
    {
        var debouncer = new GpioDebouncer(s_debounce, initialLevel: false);

        GpioDebounceDecision decision = debouncer.OnEdge(true, s_t0);

        Assert.Equal(GpioDebounceDecision.Arm(s_t0 + s_debounce), decision);
        Assert.True(debouncer.IsSettling);
        Assert.False(debouncer.Accepted);
    }

    [Fact]
    public void OnDeadline_AfterBurstSettlesHigh_AcceptsOnceWithFirstEdgeTime()
    {
        var debouncer = new GpioDebouncer(s_debounce, initialLevel: false);
        debouncer.OnEdge(true, s_t0);
        debouncer.OnEdge(false, s_t0.AddMilliseconds(1));
        GpioDebounceDecision last = debouncer.OnEdge(true, s_t0.AddMilliseconds(3));

        Assert.Equal(GpioDebounceDecision.Arm(s_t0.AddMilliseconds(53)), last);
        Assert.Equal(GpioDebounceDecision.Accept(true, s_t0), debouncer.OnDeadline(s_t0.AddMilliseconds(53)));
        Assert.Equal(GpioDebounceDecision.Nothing, debouncer.OnDeadline(s_t0.AddMilliseconds(60)));
        Assert.True(debouncer.Accepted);
        Assert.False(debouncer.IsSettling);
    }

    [Fact]
    public void OnDeadline_StaleFiringBeforeLatestEdgeSettled_RearmsForTheLatestEdge()
    {
        var debouncer = new GpioDebouncer(s_debounce, initialLevel: false);
        debouncer.OnEdge(true, s_t0);
        debouncer.OnEdge(false, s_t0.AddMilliseconds(40));
        debouncer.OnEdge(true, s_t0.AddMilliseconds(45));

        Assert.Equal(GpioDebounceDecision.Arm(s_t0.AddMilliseconds(95)), debouncer.OnDeadline(s_t0.AddMilliseconds(50)));
        Assert.Equal(GpioDebounceDecision.Accept(true, s_t0), debouncer.OnDeadline(s_t0.AddMilliseconds(95)));
    }

    [Fact]
    public void OnDeadline_GlitchBackToAcceptedLevel_AcceptsNothing()
    {
        var debouncer = new GpioDebouncer(s_debounce, initialLevel: true);
        debouncer.OnEdge(false, s_t0);
        debouncer.OnEdge(true, s_t0.AddMilliseconds(5));

        Assert.Equal(GpioDebounceDecision.Nothing, debouncer.OnDeadline(s_t0.AddMilliseconds(55)));
        Assert.True(debouncer.Accepted);
        Assert.False(debouncer.IsSettling);
    }

    [Fact]
    public void OnEdge_ZeroDebounce_AcceptsEachChangeAndIgnoresRepeats()
    {
        var debouncer = new GpioDebouncer(TimeSpan.Zero, initialLevel: false);

        Assert.Equal(GpioDebounceDecision.Accept(true, s_t0), debouncer.OnEdge(true, s_t0));
        Assert.Equal(GpioDebounceDecision.Nothing, debouncer.OnEdge(true, s_t0.AddMilliseconds(1)));
        Assert.Equal(GpioDebounceDecision.Accept(false, s_t0.AddMilliseconds(2)), debouncer.OnEdge(false, s_t0.AddMilliseconds(2)));
    }

    [Fact]
    public void OnEdge_RepeatOfAcceptedLevelWhileStable_IsIgnored()
    {
        var debouncer = new GpioDebouncer(s_debounce, initialLevel: true);

        Assert.Equal(GpioDebounceDecision.Nothing, debouncer.OnEdge(true, s_t0));
        Assert.False(debouncer.IsSettling);
    }
}
