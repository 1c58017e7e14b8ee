using System.Text.RegularExpressions;
using SmartCity.Edge.Gateway.Tests.Cli;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// The devices <see cref="OperatorWriteTests"/> writes to, started once for the class: the libmodbus server (holding
/// registers), pymodbus (a coil) — both logging every request, so a test proves what was and was not written — and
/// node-opcua's tests/peers/opcua/server.js (Writable.UInt16, Writable.ReadOnly). Each test writes its own addresses.
/// </summary>
public sealed partial class OperatorWritePeers : IAsyncLifetime
{
    private readonly string _pki = Directory.CreateTempSubdirectory("edge-write-ua-pki-").FullName;

    internal PeerProcess Libmodbus { get; private set; } = null!;

    internal PeerProcess Pymodbus { get; private set; } = null!;

    internal PeerProcess OpcUa { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        string opcua = Path.Combine(PeerProcess.PeersDirectory, "opcua");
        Assert.True(Directory.Exists(Path.Combine(opcua, "node_modules", "node-opcua")), "node-opcua is not installed: run tests/peers/install.sh");

        // All at once: node-opcua takes seconds to start on a busy machine.
        Task<PeerProcess> libmodbus = PeerProcess.StartAsync(await PeerProcess.LibmodbusServerAsync(), "tcp", "0");
        Task<PeerProcess> pymodbus = PeerProcess.StartAsync("/usr/bin/python3", Path.Combine(PeerProcess.PeersDirectory, "modbus", "pymodbus_server.py"), "tcp", "0");
        Task<PeerProcess> server = PeerProcess.StartAsync("node", Path.Combine(opcua, "server.js"), "0", _pki);
        try
        {
            Libmodbus = await libmodbus;
            Pymodbus = await pymodbus;
            OpcUa = await server;
        }
        catch
        {
            // xunit does not dispose a fixture whose start failed: stop the peers that did start.
            foreach (Task<PeerProcess> started in new[] { libmodbus, pymodbus, server }.Where(t => t.IsCompletedSuccessfully))
            {
                await started.Result.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>The write requests (functions 05, 06, 15, 16) a Modbus peer received for <paramref name="address"/> so far.</summary>
    internal static int WritesTo(PeerProcess peer, int address) =>
        peer.Lines.Count(l => WriteRequest().Match(l) is { Success: true } m && int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) == address);

    /// <summary>mbpoll, an independent Modbus master: holding register <paramref name="address"/> (0-based) of a Modbus TCP peer, unit 1.</summary>
    internal static async Task<int> MbpollHoldingAsync(PeerProcess peer, int address)
    {
        var info = new System.Diagnostics.ProcessStartInfo("mbpoll") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { "-m", "tcp", "-a", "1", "-t", "4", "-r", (address + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "-c", "1", "-1", "-p", peer.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "127.0.0.1" })
        {
            info.ArgumentList.Add(argument);
        }

        using System.Diagnostics.Process process = System.Diagnostics.Process.Start(info) ?? throw new InvalidOperationException("mbpoll did not start");
        string stdout = await process.StandardOutput.ReadToEndAsync();
        string stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Long);
        Match value = MbpollValue().Match(stdout);
        Assert.True(process.ExitCode == 0 && value.Success, $"mbpoll (tests/peers/install.sh installs it): {stdout}{stderr}");
        return int.Parse(value.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task DisposeAsync()
    {
        foreach (PeerProcess? peer in new[] { Libmodbus, Pymodbus, OpcUa })
        {
            if (peer is not null)
            {
                await peer.DisposeAsync();
            }
        }

        Directory.Delete(_pki, recursive: true);
    }

    [GeneratedRegex(@"\[\d+\]:\s+(-?\d+)")]
    private static partial Regex MbpollValue();

    [GeneratedRegex(@"^REQ fc=(?:5|6|15|16) addr=(\d+) ")]
    private static partial Regex WriteRequest();
}
