using System.Text.Json;

namespace SmartCity.Edge.Bench.EndToEnd;

/// <summary>
/// Node-RED 4 with node-red-contrib-modbus doing the same job (<see cref="NodeRedFlow"/>), from bench/nodered
/// (package.json + package-lock.json; <c>npm ci</c> there on first use). Started as
/// <c>node node_modules/node-red/red.js --userDir RUN --settings bench/nodered/settings.js RUN/flows.json</c>.
/// </summary>
internal sealed class NodeRedUnderTest(string runDirectory) : SystemUnderTest(NodeRedFlow.System, runDirectory)
{
    private static string PackageDirectory => Path.Combine(BenchEnvironment.RepositoryRoot, "bench", "nodered");

    public override string Description =>
        $"Node-RED {PackageVersion("node-red")} + node-red-contrib-modbus {PackageVersion("node-red-contrib-modbus")} (node {NodeVersion()}; no durable buffer)";

    public override bool IsGateway => false;

    /// <summary>Installs bench/nodered's locked packages when missing (never in CI: only this benchmark needs them).</summary>
    public static async Task EnsureInstalledAsync(CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(PackageDirectory, "node_modules", "node-red", "red.js"))
            && File.Exists(Path.Combine(PackageDirectory, "node_modules", "node-red-contrib-modbus", "package.json")))
        {
            return;
        }

        Console.WriteLine("e2e: installing Node-RED into bench/nodered (npm ci)");
        await BenchProcess.RunToEndAsync("npm", ["ci", "--no-audit", "--no-fund"], cancellationToken, PackageDirectory);
    }

    public override Task StartAsync(LoadShape shape, IReadOnlyList<int> devicePorts, int brokerPort, int cpu, CancellationToken cancellationToken)
    {
        string flows = Path.Combine(RunDirectory, "flows.json");
        NodeRedFlow.Write(flows, shape, devicePorts, brokerPort);
        Start(
            "node",
            [Path.Combine(PackageDirectory, "node_modules", "node-red", "red.js"), "--userDir", RunDirectory, "--settings", Path.Combine(PackageDirectory, "settings.js"), flows],
            cpu,
            new Dictionary<string, string> { ["NODE_RED_PORT"] = BenchEnvironment.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return Task.CompletedTask;
    }

    private static string PackageVersion(string package)
    {
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(PackageDirectory, "node_modules", package, "package.json")));
        return json.RootElement.GetProperty("version").GetString() ?? "?";
    }

    private static string NodeVersion() =>
        BenchProcess.RunToEndAsync("node", ["--version"], CancellationToken.None).GetAwaiter().GetResult().Trim();
}
