using SmartCity.Edge.Drivers.Modbus;
using SmartCity.Edge.Drivers.Tests.Modbus.Peers;

namespace SmartCity.Edge.Drivers.Tests.Modbus;

/// <summary>
/// The driver against independent servers: pymodbus over TCP, RTU over TCP and RTU through a socat pty pair, and our
/// libmodbus C server over TCP and a pty. Expected values are those of tests/peers/modbus/layout.md, which each server
/// encodes with its own code.
/// </summary>
public sealed class ModbusDriverIntegrationTests : IClassFixture<ModbusServersFixture>
{
    private static readonly string[] s_orders = ["ABCD", "CDAB", "BADC", "DCBA"];

    private readonly ModbusServersFixture _servers;

    public ModbusDriverIntegrationTests(ModbusServersFixture servers)
    {
        _servers = servers;
    }

    public static TheoryData<ModbusServerKind> AllServers => new(Enum.GetValues<ModbusServerKind>());

    public static TheoryData<ModbusServerKind> TcpServers => new(ModbusServerKind.PymodbusTcp, ModbusServerKind.LibmodbusTcp);

    [Theory]
    [MemberData(nameof(AllServers))]
    public async Task Poll_EveryTypeAndByteOrder_DecodesWhatTheServerEncoded(ModbusServerKind kind)
    {
        ModbusServer server = await _servers.GetAsync(kind);
        var tags = new System.Text.StringBuilder();
        tags.Append("""
              - { id: i16, address: "holding:0", type: int16 }
              - { id: u16, address: "holding:1", type: uint16 }
              - { id: u16_scaled, address: "holding:1", type: uint16, scale: 0.1, offset: -5 }
              - { id: bit3, address: "holding:2.3" }
              - { id: bit2, address: "holding:2.2", type: bool }
              - { id: text, address: "holding:10", type: string(10) }
              - { id: in0, address: "input:0", type: uint16 }
              - { id: in_f32, address: "input:2", type: float32 }
              - { id: coil0, address: "coil:0" }
              - { id: coil1, address: "coil:1" }
              - { id: coil3, address: "coil:3" }
              - { id: di0, address: "discrete:0" }
              - { id: di5, address: "discrete:5" }

            """);
        for (int k = 0; k < 4; k++)
        {
            int b = 100 + (40 * k);
            string o = s_orders[k];
            tags.Append($"""
                  - {"{"} id: i32_{o}, address: "holding:{b}", type: int32, order: {o} {"}"}
                  - {"{"} id: u32_{o}, address: "holding:{b + 2}", type: uint32, order: {o} {"}"}
                  - {"{"} id: f32_{o}, address: "holding:{b + 4}", type: float32, order: {o} {"}"}
                  - {"{"} id: i64_{o}, address: "holding:{b + 6}", type: int64, order: {o} {"}"}
                  - {"{"} id: u64_{o}, address: "holding:{b + 10}", type: uint64, order: {o} {"}"}
                  - {"{"} id: f64_{o}, address: "holding:{b + 14}", type: float64, order: {o} {"}"}

                """);
        }

        await using ModbusDriverHarness harness = await ModbusDriverHarness.ConnectAsync(new ModbusDriverFactory(), server, "unit_id: 1\n", tags.ToString());
        Dictionary<string, Reading> r = await harness.PollAsync();

        Assert.All(r.Values, reading => Assert.Equal(Quality.Good, reading.Quality));

        // One frame for the poll, every tag once, by its index in the tag list.
        Assert.Equal(1, harness.Sink.FrameCount);
        Assert.Equal(Enumerable.Range(0, harness.Settings.Tags.Count), harness.Sink.All.Select(x => x.TagIndex));
        Assert.Equal(TagValueKind.Float32, r["in_f32"].Value.Kind);
        Assert.Equal(-12345, r["i16"].Value.AsInt64());
        Assert.Equal(54321, r["u16"].Value.AsInt64());
        Assert.Equal(5427.1, r["u16_scaled"].Value.AsDouble(), 6);
        Assert.True(r["bit3"].Value.AsBoolean());
        Assert.False(r["bit2"].Value.AsBoolean());
        Assert.Equal("SENSOR-42", r["text"].Value.AsString());
        Assert.Equal(4321, r["in0"].Value.AsInt64());
        Assert.Equal(21.5, r["in_f32"].Value.AsDouble());
        Assert.True(r["coil0"].Value.AsBoolean());
        Assert.False(r["coil1"].Value.AsBoolean());
        Assert.True(r["coil3"].Value.AsBoolean());
        Assert.False(r["di0"].Value.AsBoolean());
        Assert.True(r["di5"].Value.AsBoolean());
        foreach (string o in s_orders)
        {
            Assert.Equal(-123456789, r["i32_" + o].Value.AsInt64());
            Assert.Equal(3456789012, r["u32_" + o].Value.AsInt64());
            Assert.Equal(-1234.5, r["f32_" + o].Value.AsDouble());
            Assert.Equal(-1234567890123456789, r["i64_" + o].Value.AsInt64());
            Assert.Equal(TagValueKind.UInt64, r["u64_" + o].Value.Kind);
            Assert.Equal(12345678901234567890UL, r["u64_" + o].Value.AsUInt64());
            Assert.Equal(3.14159265358979, r["f64_" + o].Value.AsDouble());
        }
    }

    [Theory]
    [MemberData(nameof(AllServers))]
    public async Task Poll_CoalescedTags_SendsExactlyThePlannedRequests(ModbusServerKind kind)
    {
        ModbusServer server = await _servers.GetAsync(kind);

        // Coils 0 and 40 merge (gap 39 bits ≤ 10·16); holding 0, 2 and 10..14 merge (gaps ≤ 10); 100..113 is 85
        // registers away: a second request; 300 a third; input 0 and 2..3 one more. Sent in plan order, tables in turn.
        const string Tags = """
              - { id: a, address: "holding:0", type: int16 }
              - { id: b, address: "holding:2.3" }
              - { id: c, address: "holding:10", type: string(10) }
              - { id: d, address: "holding:100", type: int32 }
              - { id: e, address: "holding:110", type: float64 }
              - { id: f, address: "holding:300" }
              - { id: g, address: "input:0" }
              - { id: h, address: "input:2", type: float32 }
              - { id: i, address: "coil:0" }
              - { id: j, address: "coil:40" }

            """;
        await using ModbusDriverHarness harness = await ModbusDriverHarness.ConnectAsync(new ModbusDriverFactory(), server, "unit_id: 1\nmax_block: 20\nmax_gap: 10\n", Tags);
        Assert.Equal(5, harness.Driver.Plan.Count);

        List<string> seen = await server.RequestsDuringAsync(() => harness.PollAsync(), harness.MarkerAsync);

        Assert.Equal(
            ["REQ fc=1 addr=0 count=41 ok=1", "REQ fc=3 addr=0 count=15 ok=1", "REQ fc=3 addr=100 count=14 ok=1", "REQ fc=3 addr=300 count=1 ok=1", "REQ fc=4 addr=0 count=4 ok=1"],
            seen);
    }

    [Theory]
    [MemberData(nameof(AllServers))]
    public async Task Poll_BlockOverMissingRegister_IsolatesThatTagAndRemembersTheSplit(ModbusServerKind kind)
    {
        ModbusServer server = await _servers.GetAsync(kind);
        const string Tags = """
              - { id: r500, address: "holding:500" }
              - { id: r503, address: "holding:503" }
              - { id: r505, address: "holding:505" }
              - { id: r507, address: "holding:507" }
              - { id: r509, address: "holding:509" }

            """;
        await using ModbusDriverHarness harness = await ModbusDriverHarness.ConnectAsync(new ModbusDriverFactory(), server, "unit_id: 1\n", Tags);
        Assert.Single(harness.Driver.Plan);

        Dictionary<string, Reading> r = await harness.PollAsync();

        Assert.Equal(Quality.Bad, r["r505"].Quality);
        Assert.Equal("IllegalDataAddress (02)", r["r505"].Reason);
        Assert.Equal(5000, r["r500"].Value.AsInt64());
        Assert.Equal(5030, r["r503"].Value.AsInt64());
        Assert.Equal(5070, r["r507"].Value.AsInt64());
        Assert.Equal(5090, r["r509"].Value.AsInt64());
        Assert.All(r.Values.Where(x => x.TagId != "r505"), x => Assert.Equal(Quality.Good, x.Quality));

        // The split is remembered: the next poll sends the split plan straight away, one request per block.
        int blocks = harness.Driver.Plan.Count;
        Assert.True(blocks > 1);
        Assert.Contains(harness.Driver.Plan, b => b.Points.Count == 1 && b.Start == 505);
        List<string> seen = await server.RequestsDuringAsync(() => harness.PollAsync(), harness.MarkerAsync);
        Assert.True(blocks == seen.Count, $"plan has {blocks} blocks, server saw: {string.Join(" | ", seen)}");
        Assert.Single(seen, l => l.EndsWith("ok=0", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(AllServers))]
    public async Task Write_EachWriteFunction_LandsOnTheServer(ModbusServerKind kind)
    {
        ModbusServer server = await _servers.GetAsync(kind);

        // Unit 2 on pymodbus (its own copy of the layout) keeps these writes away from the read tests' values.
        string unit = kind is ModbusServerKind.PymodbusTcp or ModbusServerKind.PymodbusRtuOverTcp ? "unit_id: 2\n" : "unit_id: 1\n";
        const string Tags = """
              - { id: siren, address: "coil:900" }
              - { id: setpoint, address: "holding:900", type: int16 }
              - { id: level, address: "holding:902", type: float32, order: CDAB }
              - { id: label, address: "holding:910", type: string(6) }
              - { id: scaled, address: "holding:920", type: int32, scale: 0.01, order: DCBA }

            """;
        await using ModbusDriverHarness harness = await ModbusDriverHarness.ConnectAsync(new ModbusDriverFactory(), server, unit, Tags);
        ModbusClient client = harness.Driver.Client!;

        List<string> seen = await server.RequestsDuringAsync(
            async () =>
            {
                await harness.Driver.WriteAsync("siren", TagValue.FromBoolean(true), CancellationToken.None);
                await harness.Driver.WriteAsync("setpoint", TagValue.FromInt64(-42), CancellationToken.None);
                await harness.Driver.WriteAsync("level", TagValue.FromDouble(12.25), CancellationToken.None);
                await harness.Driver.WriteAsync("label", TagValue.FromString("ZONE-3"), CancellationToken.None);
                await harness.Driver.WriteAsync("scaled", TagValue.FromDouble(-1234.56), CancellationToken.None);
                await client.WriteMultipleCoilsAsync(930, new[] { true, false, true, true, false, false, false, false, true }, CancellationToken.None);
            },
            harness.MarkerAsync);

        Assert.Equal(
            ["REQ fc=5 addr=900 count=1 ok=1", "REQ fc=6 addr=900 count=1 ok=1", "REQ fc=16 addr=902 count=2 ok=1", "REQ fc=16 addr=910 count=3 ok=1", "REQ fc=16 addr=920 count=2 ok=1", "REQ fc=15 addr=930 count=9 ok=1"],
            seen);

        Dictionary<string, Reading> r = await harness.PollAsync();
        Assert.True(r["siren"].Value.AsBoolean());
        Assert.Equal(-42, r["setpoint"].Value.AsInt64());
        Assert.Equal(12.25, r["level"].Value.AsDouble());
        Assert.Equal("ZONE-3", r["label"].Value.AsString());
        Assert.Equal(-1234.56, r["scaled"].Value.AsDouble(), 6);

        byte[] bits = new byte[2];
        await client.ReadAsync(ModbusFunctionCode.ReadCoils, 930, 9, bits, CancellationToken.None);
        Assert.Equal([0b0000_1101, 0b0000_0001], bits);
    }

    [Theory]
    [MemberData(nameof(TcpServers))]
    public async Task Poll_PipelinedWithMaxInflight_ReadsTheSameValues(ModbusServerKind kind)
    {
        ModbusServer server = await _servers.GetAsync(kind);
        var tags = new System.Text.StringBuilder();
        for (int k = 0; k < 4; k++)
        {
            tags.Append($"  - {{ id: f32_{k}, address: \"holding:{104 + (40 * k)}\", type: float32, order: {s_orders[k]} }}\n");
        }

        // max_gap 0 keeps the four values in four requests, sent together.
        await using ModbusDriverHarness harness = await ModbusDriverHarness.ConnectAsync(new ModbusDriverFactory(), server, "unit_id: 1\nmax_gap: 0\nmax_inflight: 4\n", tags.ToString());
        Assert.Equal(4, harness.Driver.Plan.Count);
        for (int poll = 0; poll < 20; poll++)
        {
            Dictionary<string, Reading> r = await harness.PollAsync();
            Assert.All(r.Values, x => Assert.Equal(-1234.5, x.Value.AsDouble()));
        }
    }

    [Fact]
    public async Task Drivers_TwoUnitsBehindOneGateway_ShareOneConnection()
    {
        ModbusServer server = await _servers.GetAsync(ModbusServerKind.PymodbusTcp);
        var factory = new ModbusDriverFactory();
        const string Tags = "  - { id: u16, address: \"holding:1\" }\n";
        await using ModbusDriverHarness one = await ModbusDriverHarness.ConnectAsync(factory, server, "unit_id: 1\n", Tags);
        await using ModbusDriverHarness two = await ModbusDriverHarness.ConnectAsync(factory, server, "unit_id: 2\n", Tags);

        Assert.Same(one.Driver.Client!.Channel, two.Driver.Client!.Channel);
        Assert.Equal(54321, (await one.PollAsync())["u16"].Value.AsInt64());
        Assert.Equal(54321, (await two.PollAsync())["u16"].Value.AsInt64());
    }

    [Fact]
    public async Task Drivers_TwoDevicesOnOneSerialBus_ShareTheBusAndPollConcurrently()
    {
        ModbusServer server = await _servers.GetAsync(ModbusServerKind.PymodbusRtuSerial);
        var factory = new ModbusDriverFactory();
        const string Tags = "  - { id: f64, address: \"holding:114\", type: float64 }\n  - { id: coil3, address: \"coil:3\" }\n";
        await using ModbusDriverHarness one = await ModbusDriverHarness.ConnectAsync(factory, server, "unit_id: 1\n", Tags);
        await using ModbusDriverHarness two = await ModbusDriverHarness.ConnectAsync(factory, server, "unit_id: 2\n", Tags);
        Assert.Same(one.Driver.Client!.Channel, two.Driver.Client!.Channel);

        // Both devices poll at once; the bus serialises their requests, so every frame gets its own answer.
        for (int i = 0; i < 5; i++)
        {
            Dictionary<string, Reading>[] polls = await Task.WhenAll(one.PollAsync(), two.PollAsync());
            Assert.All(polls, r => Assert.Equal(3.14159265358979, r["f64"].Value.AsDouble()));
            Assert.All(polls, r => Assert.True(r["coil3"].Value.AsBoolean()));
        }
    }

    [Fact]
    public async Task Poll_UnitThatNeverAnswers_ThrowsTimeoutDeviceException()
    {
        // pymodbus stays silent for unknown unit ids (test-peers.md).
        ModbusServer server = await _servers.GetAsync(ModbusServerKind.PymodbusTcp);
        await using ModbusDriverHarness harness = await ModbusDriverHarness.ConnectAsync(new ModbusDriverFactory(), server, "unit_id: 9\ntimeout: 200ms\nretries: 1\n", "  - { id: x, address: \"holding:1\" }\n");

        DeviceException error = await Assert.ThrowsAsync<DeviceException>(() => harness.PollAsync());

        Assert.Equal("timeout", error.Kind);
        Assert.Contains("unit 9", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, harness.Driver.Client!.RequestsSent);
    }
}
