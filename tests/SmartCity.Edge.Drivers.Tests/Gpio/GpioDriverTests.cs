using System.Device.Gpio;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SmartCity.Edge.Drivers.Gpio;

namespace SmartCity.Edge.Drivers.Tests.Gpio;

/// <summary>The GPIO driver against a fake chip behind System.Device.Gpio's <see cref="GpioDriver"/>, with fake time.</summary>
public sealed class GpioDriverTests : IAsyncLifetime
{
    private static readonly DateTimeOffset s_start = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(s_start);
    private readonly FakeGpioDriver _chip = new();
    private readonly CollectingSink _sink = new();
    private IDeviceDriver? _driver;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _sink.Release();
        if (_driver is not null)
        {
            await _driver.DisposeAsync();
        }
    }

    [Fact]
    public async Task Connect_InputsAndOutputs_PublishInitialStateAndOpenOutputsSafe()
    {
        _chip.SetLevel(17, PinValue.High);
        await ConnectAsync("""
              - id: door
                pin: 17
              - id: siren
                pin: 22
                direction: output
                active_low: true
            """);

        Reading door = await _sink.NextAsync("door");
        Assert.Equal((TagValue.FromBoolean(true), Quality.Good, s_start), (door.Value, door.Quality, door.SourceTimestamp));
        Reading siren = await _sink.NextAsync("siren");
        Assert.Equal(TagValue.FromBoolean(false), siren.Value);

        // Safe state off on an active-low relay board is electrical high, set as the line is opened (no chirp).
        Assert.Equal([(22, PinValue.High)], _chip.Writes);
        Assert.Equal(PinMode.Output, _chip.ModeOf(22));
        Assert.Equal(PinMode.Input, _chip.ModeOf(17));
        Assert.Equal(0, _chip.CallbackCount(22));
        Assert.Equal(1, _chip.CallbackCount(17));
    }

    [Fact]
    public async Task Connect_GpioChipKey_OpensThatChip()
    {
        var opener = new FakeGpioChipOpener(_chip);
        await ConnectAsync("""
              - id: door
                pin: 3
            """, chipKey: "gpio_chip: 4", opener: opener);

        Assert.Equal(4, opener.OpenedChip);
    }

    [Theory]
    [InlineData("up", PinMode.InputPullUp)]
    [InlineData("down", PinMode.InputPullDown)]
    [InlineData("none", PinMode.Input)]
    public async Task Connect_Pull_SetsBiasMode(string pull, PinMode expected)
    {
        await ConnectAsync($"""
              - id: door
                pin: 5
                pull: {pull}
            """);

        Assert.Equal(expected, _chip.ModeOf(5));
    }

    [Fact]
    public async Task Input_BounceBurst_YieldsOneChangeStampedWithFirstEdge()
    {
        await ConnectAsync("""
              - id: button
                pin: 17
                debounce: 50ms
            """);
        Assert.False((await _sink.NextAsync("button")).Value.AsBoolean());

        _time.Advance(TimeSpan.FromMilliseconds(500));
        DateTimeOffset pressed = _time.GetUtcNow();
        foreach (PinValue level in new[] { PinValue.High, PinValue.Low, PinValue.High, PinValue.Low, PinValue.High })
        {
            _chip.Drive(17, level);
            _time.Advance(TimeSpan.FromMilliseconds(2));
        }

        _time.Advance(TimeSpan.FromMilliseconds(60));
        DateTimeOffset released = _time.GetUtcNow();
        _chip.Drive(17, PinValue.Low);
        _time.Advance(TimeSpan.FromMilliseconds(60));

        // FIFO: had the burst produced more than one change, the second reading would not be the release.
        Reading press = await _sink.NextAsync("button");
        Reading release = await _sink.NextAsync("button");
        Assert.Equal((TagValue.FromBoolean(true), pressed), (press.Value, press.SourceTimestamp));
        Assert.Equal((TagValue.FromBoolean(false), released), (release.Value, release.SourceTimestamp));
    }

    [Fact]
    public async Task Input_GlitchShorterThanDebounce_IsIgnored()
    {
        await ConnectAsync("""
              - id: pir
                pin: 6
                debounce: 50ms
            """);
        await _sink.NextAsync("pir");

        _chip.Drive(6, PinValue.High);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        _chip.Drive(6, PinValue.Low);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        DateTimeOffset real = _time.GetUtcNow();
        _chip.Drive(6, PinValue.High);
        _time.Advance(TimeSpan.FromMilliseconds(50));

        Reading next = await _sink.NextAsync("pir");
        Assert.Equal((TagValue.FromBoolean(true), real), (next.Value, next.SourceTimestamp));
    }

    [Fact]
    public async Task Input_ActiveLowWithPullUp_ClosedContactReadsTrue()
    {
        _chip.SetLevel(27, PinValue.High);
        await ConnectAsync("""
              - id: emergency_stop
                pin: 27
                pull: up
                active_low: true
                debounce: 0ms
            """);
        Assert.False((await _sink.NextAsync()).Value.AsBoolean());

        _chip.Drive(27, PinValue.Low);
        Assert.True((await _sink.NextAsync()).Value.AsBoolean());
        _chip.Drive(27, PinValue.High);
        Assert.False((await _sink.NextAsync()).Value.AsBoolean());
    }

    [Fact]
    public async Task Input_EdgeTimestamp_IsTheEventTimeNotTheDeliveryTime()
    {
        await ConnectAsync("""
              - id: door
                pin: 17
                debounce: 0ms
            """);
        await _sink.NextAsync();
        _sink.Hold();

        _time.Advance(TimeSpan.FromMilliseconds(123));
        DateTimeOffset edge = _time.GetUtcNow();
        _chip.Drive(17, PinValue.High);
        _time.Advance(TimeSpan.FromSeconds(5));
        _sink.Release();

        Reading reading = await _sink.NextAsync();
        Assert.Equal(edge, reading.SourceTimestamp);
        Assert.Equal(s_start.AddMilliseconds(123), reading.SourceTimestamp);
    }

    [Fact]
    public async Task Input_ChangesQueuedWhileTheSinkWaits_GoOutTogetherInTheNextFrame()
    {
        await ConnectAsync("""
              - id: a
                pin: 5
                debounce: 0ms
              - id: b
                pin: 6
                debounce: 0ms
            """);
        Reading initialA = await _sink.NextAsync();
        Reading initialB = await _sink.NextAsync();
        Assert.Equal(initialA.Frame, initialB.Frame); // the states found on connect: one frame

        _sink.Hold();
        _chip.Drive(5, PinValue.High);
        await _sink.FrameWaiting.WaitAsync(TestTimeouts.Passing); // the pump waits with that change
        _time.Advance(TimeSpan.FromMilliseconds(10));
        _chip.Drive(6, PinValue.High);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        _chip.Drive(5, PinValue.Low);
        _sink.Release();

        Reading first = await _sink.NextAsync();
        Reading second = await _sink.NextAsync();
        Reading third = await _sink.NextAsync();
        Assert.Equal([("a", true), ("b", true), ("a", false)], new[] { first, second, third }.Select(r => (r.TagId, r.Value.AsBoolean())));
        Assert.NotEqual(first.Frame, second.Frame);
        Assert.Equal(second.Frame, third.Frame);
    }

    [Fact]
    public async Task Input_100msPressWhilePipelineStalled_IsNeverMissed()
    {
        await ConnectAsync("""
              - id: emergency_button
                pin: 4
                debounce: 50ms
            """);
        await _sink.NextAsync();

        // The pipeline is stalled and nobody polls: the press must still come through, from edge events alone.
        _sink.Hold();
        _time.Advance(TimeSpan.FromSeconds(3));
        DateTimeOffset down = _time.GetUtcNow();
        _chip.Drive(4, PinValue.High);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        _chip.Drive(4, PinValue.Low);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        _chip.Drive(4, PinValue.High);
        _time.Advance(TimeSpan.FromMilliseconds(98));
        DateTimeOffset up = _time.GetUtcNow();
        _chip.Drive(4, PinValue.Low);
        _time.Advance(TimeSpan.FromSeconds(1));
        _sink.Release();

        Reading press = await _sink.NextAsync();
        Reading release = await _sink.NextAsync();
        Assert.Equal((true, down), (press.Value.AsBoolean(), press.SourceTimestamp));
        Assert.Equal((false, up), (release.Value.AsBoolean(), release.SourceTimestamp));
        Assert.Equal(TimeSpan.FromMilliseconds(100), release.SourceTimestamp - press.SourceTimestamp);
    }

    [Fact]
    public async Task Poll_ReportsCurrentDebouncedStateAtPollTime()
    {
        await ConnectAsync("""
              - id: door
                pin: 17
                debounce: 0ms
              - id: beacon
                pin: 23
                direction: output
            """);
        await _sink.NextAsync("door");
        await _sink.NextAsync("beacon");
        _chip.Drive(17, PinValue.High);
        await _sink.NextAsync("door");

        _time.Advance(TimeSpan.FromSeconds(1));
        await _driver!.PollAsync(CancellationToken.None);

        Reading door = await _sink.NextAsync("door");
        Reading beacon = await _sink.NextAsync("beacon");
        Assert.Equal((true, _time.GetUtcNow()), (door.Value.AsBoolean(), door.SourceTimestamp));
        Assert.Equal((false, _time.GetUtcNow()), (beacon.Value.AsBoolean(), beacon.SourceTimestamp));
    }

    [Fact]
    public async Task Poll_LevelChangedWithoutEdgeEvent_IsRecoveredAsAChange()
    {
        await ConnectAsync("""
              - id: door
                pin: 17
                debounce: 0ms
            """);
        await _sink.NextAsync();

        // The kernel's edge queue overflowed: the level changed but no event came.
        _chip.SetLevel(17, PinValue.High);
        await _driver!.PollAsync(CancellationToken.None);

        var values = new[] { (await _sink.NextAsync()).Value.AsBoolean(), (await _sink.NextAsync()).Value.AsBoolean() };
        Assert.Equal([true, true], values);
    }

    [Fact]
    public async Task Output_Write_DrivesLineHonouringActiveLow()
    {
        await ConnectAsync("""
              - id: siren
                pin: 22
                direction: output
                active_low: true
              - id: beacon
                pin: 23
                direction: output
            """);

        await _driver!.WriteAsync("siren", TagValue.FromBoolean(true), CancellationToken.None);
        await _driver.WriteAsync("beacon", TagValue.FromInt64(1), CancellationToken.None);

        Assert.Equal(PinValue.Low, _chip.LevelOf(22));
        Assert.Equal(PinValue.High, _chip.LevelOf(23));
        await _sink.NextAsync("siren");
        Reading written = await _sink.NextAsync("siren");
        Assert.True(written.Value.AsBoolean());
    }

    [Theory]
    [InlineData("false", false)]
    [InlineData("true", true)]
    public async Task Output_Dispose_ReturnsToSafeStateAndReleasesChip(string safeState, bool safeHigh)
    {
        PinValue safeLevel = safeHigh ? PinValue.High : PinValue.Low;
        PinValue activeLevel = safeHigh ? PinValue.Low : PinValue.High;
        await ConnectAsync($"""
              - id: siren
                pin: 22
                direction: output
                safe_state: {safeState}
            """);
        await _driver!.WriteAsync("siren", TagValue.FromBoolean(activeLevel == PinValue.High), CancellationToken.None);
        Assert.Equal(activeLevel, _chip.LevelOf(22));

        await _driver.DisposeAsync();

        Assert.Equal(safeLevel, _chip.LevelOf(22));
        Assert.Equal((22, safeLevel), _chip.Writes[^1]);
        Assert.True(_chip.IsDisposed);
        await _driver.DisposeAsync();
    }

    [Fact]
    public async Task Dispose_Input_StopsWatchingEdges()
    {
        await ConnectAsync("""
              - id: door
                pin: 17
            """);

        await _driver!.DisposeAsync();

        Assert.Equal(0, _chip.CallbackCount(17));
        await Assert.ThrowsAsync<DeviceException>(() => _driver.PollAsync(CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task Write_InputTagOrUnknownTag_IsNotSupported()
    {
        await ConnectAsync("""
              - id: door
                pin: 17
            """);

        var input = await Assert.ThrowsAsync<NotSupportedException>(() => _driver!.WriteAsync("door", TagValue.FromBoolean(true), CancellationToken.None).AsTask());
        Assert.Contains("is an input", input.Message);
        await Assert.ThrowsAsync<NotSupportedException>(() => _driver!.WriteAsync("nope", TagValue.FromBoolean(true), CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task ReadTag_OutputAndInput_TheLineInLogicalTerms_StrictValuesRefusedUnwritten()
    {
        await ConnectAsync("""
              - id: siren
                pin: 22
                direction: output
                active_low: true
              - id: door
                pin: 17
            """);
        var reader = Assert.IsAssignableFrom<IReadBackTags>(_driver);

        await _driver!.WriteAsync("siren", TagValue.FromBoolean(true), CancellationToken.None);
        Assert.Equal(TagValue.FromBoolean(true), await reader.ReadTagAsync("siren", CancellationToken.None));
        _chip.SetLevel(17, PinValue.High);
        Assert.Equal(TagValue.FromBoolean(true), await reader.ReadTagAsync("door", CancellationToken.None));

        int writes = _chip.Writes.Count;
        await Assert.ThrowsAsync<TagValueRejectedException>(() => _driver.WriteAsync("siren", TagValue.FromInt64(5), CancellationToken.None).AsTask());
        await Assert.ThrowsAsync<TagValueRejectedException>(() => _driver.WriteAsync("siren", TagValue.FromString("on"), CancellationToken.None).AsTask());
        Assert.Equal(writes, _chip.Writes.Count);
        await Assert.ThrowsAsync<NotSupportedException>(() => reader.ReadTagAsync("nope", CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task Connect_PinBeyondChip_DeviceExceptionNamingTheLineCount()
    {
        var ex = await Assert.ThrowsAsync<DeviceException>(() => ConnectAsync("""
              - id: door
                pin: 40
            """));

        Assert.Contains("pin 40 does not exist on gpiochip0, which has 28 lines", ex.Message);
        Assert.True(_chip.IsDisposed);
    }

    [Fact]
    public async Task Connect_PinBusy_DeviceExceptionAndOutputsLeftSafe()
    {
        _chip.BusyPins.Add(17);
        var ex = await Assert.ThrowsAsync<DeviceException>(() => ConnectAsync("""
              - id: siren
                pin: 22
                direction: output
              - id: door
                pin: 17
            """));

        Assert.Contains("Tag 'door': cannot open pin 17 on gpiochip0", ex.Message);
        Assert.Contains("in use by another program", ex.Message);
        Assert.Equal(PinValue.Low, _chip.LevelOf(22));
        Assert.True(_chip.IsDisposed);
    }

    private async Task ConnectAsync(string tagsYaml, string chipKey = "gpio_chip: 0", IGpioChipOpener? opener = null)
    {
        var factory = new GpioDriverFactory(opener ?? new FakeGpioChipOpener(_chip));
        string yaml = $"""
            devices:
              - id: cabinet
                driver: gpio
                {chipKey}
                tags:
            {Indent(tagsYaml)}
            """;
        var (device, settings, problems) = DeviceConfig.Read(yaml, factory);
        Assert.Empty(problems);
        _driver = factory.Create(device, settings!, new DriverContext(NullLoggerFactory.Instance, _time, Path.GetTempPath()));
        _sink.Tags = device.Tags;
        await _driver.ConnectAsync(_sink, CancellationToken.None);
    }

    private static string Indent(string text) =>
        string.Join("\n", text.Split('\n').Select(l => "    " + l));
}
