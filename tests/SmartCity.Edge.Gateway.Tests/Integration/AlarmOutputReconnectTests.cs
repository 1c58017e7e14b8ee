using System.Globalization;
using SmartCity.Edge.Gateway.Tests.Cli;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// A siren on a real Modbus device (pymodbus) switched on by an active alarm: when the device restarts, its coil is
/// back in its power-on state, and the gateway must switch the siren on again once it reconnects.
/// </summary>
public sealed class AlarmOutputReconnectTests : BrokerTest
{
    private static readonly string s_server = Path.Combine(PeerProcess.PeersDirectory, "modbus", "pymodbus_server.py");

    [Fact]
    public async Task ActiveAlarmSiren_OnAModbusDeviceThatRestarted_IsWrittenAgainAfterReconnect()
    {
        await using PeerProcess first = await PeerProcess.StartAsync("/usr/bin/python3", s_server, "tcp", "0");
        int port = first.Port;
        string yaml = TestConfigs.CounterPark(Path.Combine(Directory, "data"), Broker.Port, devices: 1, pollInterval: "100ms")
            .Replace("upstream:", $"""
                  - id: sensor
                    driver: simulator
                    poll_interval: 100ms
                    tags:
                      - id: level
                        signal: constant
                        value: 1
                  - id: siren-panel
                    driver: modbus-tcp
                    host: 127.0.0.1
                    port: {port.ToString(CultureInfo.InvariantCulture)}
                    unit_id: 1
                    timeout: 300ms
                    poll_interval: 100ms
                    tags:
                      - id: siren
                        address: coil:10
                        type: bool
                alarms:
                  - id: level-high
                    tag: sensor/level
                    above: 0.5
                    severity: critical
                    actions:
                      - device: siren-panel
                        tag: siren
                        value: true
                upstream:
                """, StringComparison.Ordinal);
        string config = TestConfigs.Write(Directory, yaml);
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);

        // Function 05 (write single coil) to coil 10: the alarm switched the siren on.
        await first.WaitForLineAsync(IsSirenWrite, TestTimeouts.Long);

        await first.DisposeAsync(); // the device goes away; its coils are lost with it
        await using PeerProcess second = await PeerProcess.StartAsync("/usr/bin/python3", s_server, "tcp", port.ToString(CultureInfo.InvariantCulture));

        string write = await WithLogAsync(gateway, second.WaitForLineAsync(IsSirenWrite, TestTimeouts.Long));
        Assert.Contains("ok=1", write, StringComparison.Ordinal);
        Assert.False(gateway.HasExited, gateway.Log);
    }

    private static bool IsSirenWrite(string line) => line.StartsWith("REQ fc=5 addr=10 ", StringComparison.Ordinal);

    private static async Task<T> WithLogAsync<T>(GatewayProcess gateway, Task<T> task)
    {
        try
        {
            return await task;
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "\ngateway log:\n" + gateway.Log, ex);
        }
    }
}
