namespace SmartCity.Edge.Gateway.Tests.Cli;

/// <summary>
/// The real peers <see cref="TestCommandTests"/> commissions against, started once for the class: pymodbus serving
/// tests/peers/modbus/layout.md (logging every request, so a test can prove nothing was written) and node-opcua's
/// tests/peers/opcua/server.js.
/// </summary>
public sealed class TestCommandPeers : IAsyncLifetime
{
    private readonly string _pki = Directory.CreateTempSubdirectory("edge-test-ua-pki-").FullName;

    internal PeerProcess Modbus { get; private set; } = null!;

    internal PeerProcess OpcUa { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        string opcua = Path.Combine(PeerProcess.PeersDirectory, "opcua");
        Assert.True(Directory.Exists(Path.Combine(opcua, "node_modules", "node-opcua")), "node-opcua is not installed: run tests/peers/install.sh");

        // Both at once: node-opcua takes ~2 s to start.
        Task<PeerProcess> modbus = PeerProcess.StartAsync("/usr/bin/python3", Path.Combine(PeerProcess.PeersDirectory, "modbus", "pymodbus_server.py"), "tcp", "0");
        Task<PeerProcess> server = PeerProcess.StartAsync("node", Path.Combine(opcua, "server.js"), "0", _pki);
        try
        {
            Modbus = await modbus;
            OpcUa = await server;
        }
        catch
        {
            // xunit does not dispose a fixture whose start failed: stop the peer that did start.
            foreach (Task<PeerProcess> started in new[] { modbus, server }.Where(t => t.IsCompletedSuccessfully))
            {
                await started.Result.DisposeAsync();
            }

            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (Modbus is not null)
        {
            await Modbus.DisposeAsync();
        }

        if (OpcUa is not null)
        {
            await OpcUa.DisposeAsync();
        }

        Directory.Delete(_pki, recursive: true);
    }
}
