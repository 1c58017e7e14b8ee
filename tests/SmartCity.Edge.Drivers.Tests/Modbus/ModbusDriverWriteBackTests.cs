using SmartCity.Edge.Drivers.Modbus;
using SmartCity.Edge.Drivers.Tests.Modbus.Peers;

namespace SmartCity.Edge.Drivers.Tests.Modbus;

/// <summary>
/// Operator writes at the driver, against pymodbus and libmodbus: a value the tag cannot hold never leaves the driver,
/// an exception reply is the device's refusal of that one write (with its name), and a read-back reads exactly the
/// tag, without a reading for the pipeline.
/// </summary>
public sealed class ModbusDriverWriteBackTests : IClassFixture<ModbusServersFixture>
{
    private const string Tags = """
          - { id: release, address: "coil:941" }
          - { id: setpoint, address: "holding:940", type: uint16 }
          - { id: hole, address: "holding:505", type: uint16 }

        """;

    private readonly ModbusServersFixture _servers;

    public ModbusDriverWriteBackTests(ModbusServersFixture servers)
    {
        _servers = servers;
    }

    public static TheoryData<ModbusServerKind> TcpServers => new(ModbusServerKind.PymodbusTcp, ModbusServerKind.LibmodbusTcp);

    [Theory]
    [MemberData(nameof(TcpServers))]
    public async Task Write_ValueTheTagCannotHold_RefusedBeforeAnythingIsSent(ModbusServerKind kind)
    {
        ModbusServer server = await _servers.GetAsync(kind);
        await using ModbusDriverHarness harness = await ModbusDriverHarness.ConnectAsync(new ModbusDriverFactory(), server, Unit(kind), Tags);
        var refusals = new List<TagValueRejectedException>();

        List<string> seen = await server.RequestsDuringAsync(
            async () =>
            {
                foreach ((string tag, TagValue value) in new[]
                {
                    ("release", TagValue.FromInt64(5)), ("release", TagValue.FromString("on")), ("setpoint", TagValue.FromInt64(70000)),
                    ("setpoint", TagValue.FromString("12")), ("setpoint", TagValue.FromDouble(double.NaN)), ("setpoint", TagValue.FromDouble(1e300)),
                })
                {
                    refusals.Add(await Assert.ThrowsAsync<TagValueRejectedException>(() => harness.Driver.WriteAsync(tag, value, CancellationToken.None).AsTask()));
                }
            },
            harness.MarkerAsync);

        Assert.Empty(seen);
        Assert.Contains("a coil takes true or false (or 1 or 0), not 5", refusals[0].Message, StringComparison.Ordinal);
        Assert.Contains("70000 does not fit a uint16 (0..65535)", refusals[2].Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TcpServers))]
    public async Task Write_DeviceAnswersException_RefusedWithTheExceptionsName(ModbusServerKind kind)
    {
        ModbusServer server = await _servers.GetAsync(kind);
        await using ModbusDriverHarness harness = await ModbusDriverHarness.ConnectAsync(new ModbusDriverFactory(), server, Unit(kind), Tags);
        DeviceTagRefusedException? write = null, read = null;

        List<string> seen = await server.RequestsDuringAsync(
            async () =>
            {
                write = await Assert.ThrowsAsync<DeviceTagRefusedException>(() => harness.Driver.WriteAsync("hole", TagValue.FromInt64(1), CancellationToken.None).AsTask());
                read = await Assert.ThrowsAsync<DeviceTagRefusedException>(() => harness.Driver.ReadTagAsync("hole", CancellationToken.None).AsTask());
            },
            harness.MarkerAsync);

        Assert.Equal(["REQ fc=6 addr=505 count=1 ok=0", "REQ fc=3 addr=505 count=1 ok=0"], seen);
        Assert.Equal(("IllegalDataAddress (02)", "IllegalDataAddress (02)"), (write!.Status, read!.Status));

        // Request-scoped: the link is still up for the next write.
        await harness.Driver.WriteAsync("setpoint", TagValue.FromInt64(7), CancellationToken.None);
    }

    [Theory]
    [MemberData(nameof(TcpServers))]
    public async Task ReadTag_AfterWrite_ReadsExactlyTheTag_NoReadingForThePipeline(ModbusServerKind kind)
    {
        ModbusServer server = await _servers.GetAsync(kind);
        await using ModbusDriverHarness harness = await ModbusDriverHarness.ConnectAsync(new ModbusDriverFactory(), server, Unit(kind), Tags);
        harness.Sink.Clear();
        TagValue setpoint = TagValue.None, release = TagValue.None;

        List<string> seen = await server.RequestsDuringAsync(
            async () =>
            {
                await harness.Driver.WriteAsync("setpoint", TagValue.FromInt64(1234), CancellationToken.None);
                setpoint = await harness.Driver.ReadTagAsync("setpoint", CancellationToken.None);
                await harness.Driver.WriteAsync("release", TagValue.FromBoolean(true), CancellationToken.None);
                release = await harness.Driver.ReadTagAsync("release", CancellationToken.None);
            },
            harness.MarkerAsync);

        Assert.Equal(["REQ fc=6 addr=940 count=1 ok=1", "REQ fc=3 addr=940 count=1 ok=1", "REQ fc=5 addr=941 count=1 ok=1", "REQ fc=1 addr=941 count=1 ok=1"], seen);
        Assert.Equal(1234, setpoint.AsInt64());
        Assert.True(release.AsBoolean());
        Assert.Empty(harness.Sink.Latest());
        await Assert.ThrowsAsync<NotSupportedException>(() => harness.Driver.ReadTagAsync("nope", CancellationToken.None).AsTask());
    }

    // Unit 2 on pymodbus (its own copy of the layout) keeps these writes away from the read tests' values.
    private static string Unit(ModbusServerKind kind) => kind is ModbusServerKind.PymodbusTcp ? "unit_id: 2\n" : "unit_id: 1\n";
}
