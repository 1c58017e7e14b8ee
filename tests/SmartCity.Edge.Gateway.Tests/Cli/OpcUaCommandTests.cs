using System.Globalization;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Cli;

/// <summary>The technician's <c>smartcity-edge opcua</c> tool, run as the real binary against a real node-opcua server (tests/peers/opcua/server.js).</summary>
public sealed class OpcUaCommandTests : IAsyncLifetime
{
    private readonly string _pki = Directory.CreateTempSubdirectory("edge-ua-pki-").FullName;
    private PeerProcess _server = null!;

    private string Endpoint => $"opc.tcp://127.0.0.1:{_server.Port.ToString(CultureInfo.InvariantCulture)}";

    public async Task InitializeAsync()
    {
        string peer = Path.Combine(PeerProcess.PeersDirectory, "opcua");
        Assert.True(Directory.Exists(Path.Combine(peer, "node_modules", "node-opcua")), "node-opcua is not installed: run tests/peers/install.sh");
        _server = await PeerProcess.StartAsync("node", Path.Combine(peer, "server.js"), "0", _pki);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_pki, recursive: true);
    }

    [Fact]
    public async Task Read_KnownAndUnknownNodes_PrintsValueAndStatusName()
    {
        (int exitCode, string stdout, string stderr) = await GatewayProcess.RunToEndAsync("opcua", "read", Endpoint, "ns=1;s=Scalars.Double", "ns=1;s=Scalars.Nope");

        // Exit 1: not every node read good, which a script can test for.
        Assert.True(exitCode == 1, stderr);
        Assert.Matches(@"ns=1;s=Scalars.Double\s+Double = 3.14159\s+Good", stdout);
        Assert.Matches(@"ns=1;s=Scalars.Nope\s+.*BadNodeIdUnknown", stdout);
    }

    [Fact]
    public async Task Browse_ParkFolder_PrintsTheTreeWithNodeIds()
    {
        (int exitCode, string stdout, string stderr) = await GatewayProcess.RunToEndAsync("opcua", "browse", Endpoint, "--path", "/Objects/Park");

        Assert.True(exitCode == 0, stderr);
        Assert.Matches(@"1:Building1\s+ns=1;s=Park.Building1\n", stdout);
        Assert.Matches(@"1:Open\s+ns=1;s=Park.Building1.Door1.Open\s+Boolean = (true|false)", stdout);
    }

    [Fact]
    public async Task Browse_NodeReferencedTwiceByItsParent_ListedOnce()
    {
        // Alarms.Temperature is a component of Alarms and, as the source of an alarm, also its HasEventSource target:
        // Browse returns both references (node-opcua, like most servers with alarms).
        (int exitCode, string stdout, string stderr) = await GatewayProcess.RunToEndAsync("opcua", "browse", Endpoint, "--path", "/Objects/Alarms", "--depth", "1");

        Assert.True(exitCode == 0, stderr);
        string[] lines = stdout.Split('\n');
        Assert.Single(lines, l => l.Contains("1:Temperature  ns=1;s=Alarms.Temperature  Double = ", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("1:Pressure  ns=1;s=Alarms.Pressure  Double = ", StringComparison.Ordinal));

        // The whole tree: no node twice under one parent, and a node met again elsewhere is marked, not walked again.
        (exitCode, stdout, stderr) = await GatewayProcess.RunToEndAsync("opcua", "browse", Endpoint);
        Assert.True(exitCode == 0, stderr);
        string[] listed = stdout.Split('\n').Where(l => l.StartsWith("  ", StringComparison.Ordinal) && !l.Contains("listed above", StringComparison.Ordinal)).Select(l => l.Split("  ", StringSplitOptions.RemoveEmptyEntries)[1]).ToArray();
        Assert.Equal(listed.Length, listed.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("ns=1;s=Alarms.Temperature", listed);
    }
}
