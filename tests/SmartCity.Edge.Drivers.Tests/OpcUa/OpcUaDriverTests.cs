using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>The <c>opcua</c> driver against a real node-opcua server: poll and subscribe modes, bad tags, deadbands, write.</summary>
[Collection(OpcUaServerCollection.Name)]
public sealed class OpcUaDriverTests : IDisposable
{
    private readonly OpcUaServerFixture _fixture;
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("smartcity-edge-opcua-driver-").FullName;

    public OpcUaDriverTests(OpcUaServerFixture fixture) => _fixture = fixture;

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    private string Endpoint => _fixture.Server.EndpointUrl;

    [Fact]
    public async Task Poll_UnknownNode_ThatTagBadNodeIdUnknownOthersGood()
    {
        await using OpcUaDriver driver = OpcUaDriverHarness.Create($$"""
            id: plc
            endpoint: {{Endpoint}}
            tags:
              - { id: temp, node: "ns=1;s=Scalars.Double", mode: poll }
              - { id: ghost, node: "ns=1;s=No.Such.Node", mode: poll }
              - { id: count, node: "ns=1;s=Scalars.UInt64", mode: poll }
            """);
        var sink = new CollectingSink(driver.Device.Tags);
        await driver.ConnectAsync(sink, TestTimeouts.Token());

        await driver.PollAsync(TestTimeouts.Token());

        Reading temp = await sink.WaitForAsync(r => r.TagId == "temp");
        Reading ghost = await sink.WaitForAsync(r => r.TagId == "ghost");
        Reading count = await sink.WaitForAsync(r => r.TagId == "count");
        Assert.Equal((Quality.Good, 3.14159), (temp.Quality, temp.Value.AsDouble()));
        Assert.Equal((Quality.Bad, "BadNodeIdUnknown"), (ghost.Quality, ghost.Reason));
        Assert.Equal((Quality.Good, 18000000000000000000UL), (count.Quality, count.Value.AsUInt64()));
    }

    [Fact]
    public async Task Subscribe_InitialValues_ArriveInOneFrameWithFloatKeptAsFloat32()
    {
        await using OpcUaDriver driver = OpcUaDriverHarness.Create($$"""
            id: plc
            endpoint: {{Endpoint}}
            publishing_interval: 100ms
            tags:
              - { id: f, node: "ns=1;s=Scalars.Float" }
              - { id: d, node: "ns=1;s=Scalars.Double" }
              - { id: n, node: "ns=1;s=Scalars.Int32" }
            """);
        var sink = new CollectingSink(driver.Device.Tags);
        await driver.ConnectAsync(sink, TestTimeouts.Token());

        List<Reading> first = [await sink.WaitForAsync(_ => true), await sink.WaitForAsync(_ => true), await sink.WaitForAsync(_ => true)];

        // One Publish response carries the three initial values: one frame, the items' client handles as tag indexes.
        Assert.Single(first.Select(r => r.Frame).Distinct());
        Assert.Equal(["d", "f", "n"], first.Select(r => r.TagId).Order());
        Reading f = first.Single(r => r.TagId == "f");
        Assert.Equal((TagValueKind.Float32, 3.5f), (f.Value.Kind, f.Value.AsSingle()));
        Assert.Equal(TagValueKind.Double, first.Single(r => r.TagId == "d").Value.Kind);
    }

    [Fact]
    public async Task Subscribe_UnknownNode_ThatTagBadOthersDeliverChanges()
    {
        await using OpcUaDriver driver = OpcUaDriverHarness.Create($$"""
            id: plc
            endpoint: {{Endpoint}}
            publishing_interval: 100ms
            tags:
              - { id: ghost, node: "ns=1;s=No.Such.Node" }
              - { id: counter, node: "ns=1;s=Dynamic.Counter", sampling_interval: 50ms }
            """);
        var sink = new CollectingSink(driver.Device.Tags);
        await driver.ConnectAsync(sink, TestTimeouts.Token());

        Reading ghost = await sink.WaitForAsync(r => r.TagId == "ghost");
        List<Reading> counter = await sink.CollectAsync("counter", 4);

        Assert.Equal((Quality.Bad, "BadNodeIdUnknown"), (ghost.Quality, ghost.Reason));
        Assert.All(counter, r => Assert.Equal(Quality.Good, r.Quality));
        Assert.True(counter.Select(r => r.Value.AsInt64()).SequenceEqual(counter.Select(r => r.Value.AsInt64()).Order()), "counter values arrive in order");
        Assert.True(counter[^1].Value.AsInt64() > counter[0].Value.AsInt64());
        Assert.True(counter[^1].SourceTimestamp > DateTimeOffset.UtcNow.AddMinutes(-1), "source timestamp comes from the server");
    }

    [Fact]
    public async Task Subscribe_AbsoluteDeadband_OnlyChangesLargerThanDeadband()
    {
        // Dynamic.Ramp steps by 0.25 every 50 ms.
        await using OpcUaDriver driver = OpcUaDriverHarness.Create($$"""
            id: plc
            endpoint: {{Endpoint}}
            publishing_interval: 100ms
            tags:
              - { id: raw, node: "ns=1;s=Dynamic.Ramp", sampling_interval: 0ms, queue_size: 100 }
              - { id: banded, node: "ns=1;s=Dynamic.Ramp", sampling_interval: 0ms, queue_size: 100, deadband: 1.0 }
            """);
        var sink = new CollectingSink(driver.Device.Tags);
        await driver.ConnectAsync(sink, TestTimeouts.Token());

        List<Reading> banded = await sink.CollectAsync("banded", 5);
        double[] raw = sink.All.Where(r => r.TagId == "raw").Select(r => r.Value.AsDouble()).ToArray();
        double[] steps = banded.Zip(banded.Skip(1), (a, b) => b.Value.AsDouble() - a.Value.AsDouble()).ToArray();

        Assert.All(steps, step => Assert.True(step > 1.0, $"deadband 1.0 let a change of {step} through"));
        Assert.Contains(raw.Zip(raw.Skip(1), (a, b) => b - a), step => step < 1.0);
    }

    [Fact]
    public async Task Subscribe_PercentDeadband_UsesEURange()
    {
        // Dynamic.Level: 0..100 (EURange), +1 every 50 ms. 5 % of the range = 5.
        await using OpcUaDriver driver = OpcUaDriverHarness.Create($$"""
            id: plc
            endpoint: {{Endpoint}}
            publishing_interval: 100ms
            tags:
              - { id: level, node: "ns=1;s=Dynamic.Level", sampling_interval: 0ms, queue_size: 100, deadband: 5, deadband_type: percent }
            """);
        var sink = new CollectingSink(driver.Device.Tags);
        await driver.ConnectAsync(sink, TestTimeouts.Token());

        List<Reading> level = await sink.CollectAsync("level", 5);
        double[] steps = level.Zip(level.Skip(1), (a, b) => Math.Abs(b.Value.AsDouble() - a.Value.AsDouble())).ToArray();

        Assert.All(steps, step => Assert.True(step > 5.0, $"5 % deadband let a change of {step} through"));
    }

    [Fact]
    public async Task Path_ResolvesToNode_UnknownPathBadNoMatch()
    {
        await using OpcUaDriver driver = OpcUaDriverHarness.Create($$"""
            id: plc
            endpoint: {{Endpoint}}
            tags:
              - { id: door, path: /Objects/Park/Building1/Door2/Open, mode: poll }
              - { id: nowhere, path: /Objects/Park/Building9/Door1/Open, mode: poll }
            """);
        var sink = new CollectingSink(driver.Device.Tags);
        await driver.ConnectAsync(sink, TestTimeouts.Token());
        await driver.PollAsync(TestTimeouts.Token());

        Reading nowhere = await sink.WaitForAsync(r => r.TagId == "nowhere");
        Reading door = await sink.WaitForAsync(r => r.TagId == "door");

        Assert.Equal((Quality.Bad, "BadNoMatch"), (nowhere.Quality, nowhere.Reason));
        Assert.Equal((Quality.Good, false), (door.Quality, door.Value.AsBoolean())); // (1 + 2) % 2 != 0
    }

    [Fact]
    public async Task Write_DoubleTag_ServerHoldsNewValue()
    {
        await using OpcUaDriver driver = OpcUaDriverHarness.Create($$"""
            id: plc
            endpoint: {{Endpoint}}
            security: { policy: auto, check_hostname: false, trust_on_first_use: true }
            auth: { username: technician, password: "${OPCUA_PASSWORD}" }
            tags:
              - { id: setpoint, node: "ns=1;s=Writable.Double", mode: poll }
            """, _dataDirectory);
        var sink = new CollectingSink(driver.Device.Tags);
        await driver.ConnectAsync(sink, TestTimeouts.Token());

        await driver.WriteAsync("setpoint", TagValue.FromDouble(-7.25), TestTimeouts.Token());
        await driver.PollAsync(TestTimeouts.Token());

        Reading setpoint = await sink.WaitForAsync(r => r.TagId == "setpoint");
        Assert.Equal(-7.25, setpoint.Value.AsDouble());
    }

    [Fact]
    public async Task Connect_NothingListening_DeviceExceptionRefused()
    {
        await using OpcUaDriver driver = OpcUaDriverHarness.Create("""
            id: plc
            endpoint: opc.tcp://127.0.0.1:1
            tags:
              - { id: x, node: "i=2258" }
            """);

        DeviceException error = await Assert.ThrowsAsync<DeviceException>(async () => await driver.ConnectAsync(new CollectingSink(driver.Device.Tags), TestTimeouts.Token()));

        Assert.Equal("refused", error.Kind);
        Assert.Contains("opc.tcp://127.0.0.1:1", error.Message);
    }

    [Fact]
    public async Task Connect_WrongPassword_DeviceExceptionAuthBadUserAccessDenied()
    {
        await using OpcUaDriver driver = OpcUaDriverHarness.Create($$"""
            id: plc
            endpoint: {{Endpoint}}
            security: { policy: None, check_hostname: false, trust_on_first_use: true }
            auth: { username: technician, password: nope, allow_insecure_password: true }
            tags:
              - { id: x, node: "i=2258" }
            """, _dataDirectory);

        DeviceException error = await Assert.ThrowsAsync<DeviceException>(async () => await driver.ConnectAsync(new CollectingSink(driver.Device.Tags), TestTimeouts.Token()));

        Assert.Equal("auth", error.Kind);
        Assert.Contains("BadUserAccessDenied", error.Message);
        Assert.DoesNotContain("nope", error.Message);
    }
}
