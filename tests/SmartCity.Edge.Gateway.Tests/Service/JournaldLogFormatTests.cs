using System.Globalization;
using System.Net;
using System.Net.Sockets;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Service;

/// <summary>
/// Under systemd the gateway's log lines go to journald with syslog priorities (<c>&lt;6&gt;</c> info, <c>&lt;4&gt;</c>
/// warning, …) and without a timestamp of their own, so <c>journalctl -p warning</c> finds the problems. Run from a
/// terminal, the same binary prints timestamped lines.
/// </summary>
public sealed class JournaldLogFormatTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-journald-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task UnderSystemd_InfoAndWarningLines_CarrySyslogPriorities()
    {
        string config = WriteConfig();
        await using GatewayProcess gateway = GatewayProcess.StartAsSystemdService("run", "--config", config);
        await gateway.WaitForLogAsync("is offline", TestTimeouts.Long);
        await gateway.WaitForLogAsync("Device panel (simulator) connected", TestTimeouts.Long); // either may come first

        string connected = Line(gateway, "Device panel (simulator) connected");
        string offline = Line(gateway, "Device siren-panel is offline");
        Assert.StartsWith("<6>SmartCity.Edge.Device.panel[1000] ", connected, StringComparison.Ordinal);
        Assert.StartsWith("<4>SmartCity.Edge.Device.siren-panel[1001] ", offline, StringComparison.Ordinal);

        await gateway.TerminateAsync();
        Assert.Equal(0, gateway.ExitCode);
    }

    [Fact]
    public async Task FromATerminal_LinesAreTimestampedWithoutPriorities()
    {
        string config = WriteConfig();
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        await gateway.WaitForLogAsync("is offline", TestTimeouts.Long);

        string offline = Line(gateway, "Device siren-panel is offline");
        Assert.Matches(@"^\d\d:\d\d:\d\d\.\d\d\d warn: SmartCity\.Edge\.Device\.siren-panel\[1001\] ", offline);
        await gateway.TerminateAsync();
    }

    private string WriteConfig()
    {
        // A Modbus device on a port nobody listens on: refused at once, so the warning comes on the first attempt.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return TestConfigs.Write(_directory, $"""
            gateway:
              id: journald-gw
              data_dir: {Path.Combine(_directory, "data")}
            devices:
              - id: panel
                driver: simulator
                poll_interval: 100ms
                tags:
                  - id: level
                    signal: constant
                    value: 1
              - id: siren-panel
                driver: modbus-tcp
                host: 127.0.0.1
                port: {closedPort.ToString(CultureInfo.InvariantCulture)}
                unit_id: 1
                tags:
                  - id: siren
                    address: coil:10
                    type: bool
            upstream:
              console: true
            """);
    }

    private static string Line(GatewayProcess gateway, string text) =>
        gateway.Log.Split('\n').FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal))
        ?? throw new Xunit.Sdk.XunitException($"no line with '{text}' in:\n{gateway.Log}");
}
