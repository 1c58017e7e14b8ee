using Microsoft.Extensions.Logging;
using SmartCity.Edge.Drivers.Modbus;
using SmartCity.Edge.Drivers.Tests.Modbus.Peers;

namespace SmartCity.Edge.Drivers.Tests.Modbus;

/// <summary>
/// A device that dies and comes back: the driver reports the outage as a <see cref="DeviceException"/>, and a new
/// driver instance from the same factory (what the gateway's supervisor creates after its back-off) reads again.
/// </summary>
public sealed class ModbusDriverRecoveryTests
{
    public static TheoryData<ModbusServerKind> Kinds => new(
        ModbusServerKind.PymodbusTcp, ModbusServerKind.LibmodbusTcp, ModbusServerKind.PymodbusRtuOverTcp, ModbusServerKind.PymodbusRtuSerial);

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Poll_ServerKilledThenRestarted_ThrowsWhileDownAndNewDriverRecovers(ModbusServerKind kind)
    {
        await using ModbusServer server = await ModbusServer.StartAsync(kind);
        var factory = new ModbusDriverFactory();
        const string Device = "unit_id: 1\ntimeout: 300ms\nretries: 0\n";
        const string Tags = "  - { id: f32, address: \"holding:104\", type: float32 }\n";

        ModbusDriverHarness first = await ModbusDriverHarness.ConnectAsync(factory, server, Device, Tags);
        Assert.Equal(-1234.5, (await first.PollAsync())["f32"].Value.AsDouble());

        await server.KillAsync();

        DeviceException down = await Assert.ThrowsAsync<DeviceException>(() => first.PollAsync());
        Assert.Contains(down.Kind, server.IsSerial ? new[] { "timeout" } : new[] { "closed", "refused" });
        Assert.Contains("Modbus device 'dev'", down.Message, StringComparison.Ordinal);
        await first.DisposeAsync();

        // The supervisor's next attempt while the device is still down fails cleanly too.
        await using (ModbusDriverHarness retry = ModbusDriverHarness.Create(factory, server, Device, Tags))
        {
            DeviceException stillDown = await Assert.ThrowsAsync<DeviceException>(async () =>
            {
                await retry.Driver.ConnectAsync(retry.Sink, CancellationToken.None);
                await retry.PollAsync();
            });
            Assert.Contains(stillDown.Kind, server.IsSerial ? new[] { "timeout" } : new[] { "refused" });
        }

        await server.RestartAsync();

        await using ModbusDriverHarness second = await ModbusDriverHarness.ConnectAsync(factory, server, Device, Tags);
        Reading reading = (await second.PollAsync())["f32"];
        Assert.Equal(Quality.Good, reading.Quality);
        Assert.Equal(-1234.5, reading.Value.AsDouble());
    }

    [Theory]
    [InlineData(ModbusServerKind.PymodbusTcp)]
    [InlineData(ModbusServerKind.LibmodbusTcp)]
    public async Task Poll_ServerRestartedBetweenPolls_ConnectionEpochChanges(ModbusServerKind kind)
    {
        await using ModbusServer server = await ModbusServer.StartAsync(kind);
        const string Device = "unit_id: 1\ntimeout: 300ms\nretries: 0\n";
        const string Tags = "  - { id: f32, address: \"holding:104\", type: float32 }\n";
        await using ModbusDriverHarness driver = await ModbusDriverHarness.ConnectAsync(new ModbusDriverFactory(), server, Device, Tags);
        await driver.PollAsync();
        long before = driver.Driver.ConnectionEpoch;
        await driver.PollAsync();
        Assert.Equal(before, driver.Driver.ConnectionEpoch); // polls on an open link are not reconnects

        await server.KillAsync();
        await server.RestartAsync();

        // The same driver instance reads again on a reopened link (at most one poll may still hit the dead socket);
        // the epoch tells the supervisor that the device may have restarted in between.
        Reading reading = await PollUntilGoodAsync(driver);
        Assert.Equal(-1234.5, reading.Value.AsDouble());
        Assert.True(driver.Driver.ConnectionEpoch > before, $"epoch {driver.Driver.ConnectionEpoch} after a reopen, {before} before");
    }

    [Fact]
    public async Task Dispose_GatewayClosesItsOwnLink_NoWarningButALostLinkWarns()
    {
        await using ModbusServer server = await ModbusServer.StartAsync(ModbusServerKind.PymodbusTcp);
        const string Device = "unit_id: 1\ntimeout: 300ms\nretries: 0\n";
        const string Tags = "  - { id: f32, address: \"holding:104\", type: float32 }\n";
        var logs = new RecordingLoggerFactory();
        var context = ModbusDriverHarness.Context with { LoggerFactory = logs };

        ModbusDriverHarness released = await ModbusDriverHarness.ConnectAsync(new ModbusDriverFactory(), server, Device, Tags, context);
        await released.PollAsync();
        await released.DisposeAsync();
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning);
        Assert.Contains(logs.Entries, e => e.EventId == 3103);

        // The same logger does warn when the device drops the link.
        await using ModbusDriverHarness lost = await ModbusDriverHarness.ConnectAsync(new ModbusDriverFactory(), server, Device, Tags, context);
        await lost.PollAsync();
        await server.KillAsync();
        await Assert.ThrowsAsync<DeviceException>(() => lost.PollAsync());
        await logs.WaitForAsync(e => e.Level == LogLevel.Warning && e.EventId == 3101, "warning 3101 (link lost)");
    }

    private static async Task<Reading> PollUntilGoodAsync(ModbusDriverHarness driver)
    {
        DeviceException? last = null;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                return (await driver.PollAsync())["f32"];
            }
            catch (DeviceException ex)
            {
                last = ex;
            }
        }

        throw new Xunit.Sdk.XunitException("no good poll after the restart: " + last?.Message);
    }
}
