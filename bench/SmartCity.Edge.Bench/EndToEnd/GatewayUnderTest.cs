using System.Globalization;
using System.Text;

namespace SmartCity.Edge.Bench.EndToEnd;

/// <summary>
/// The real <c>smartcity-edge run</c> process, native AOT (the binary deploy/publish.sh ships) or JIT
/// (<c>dotnet smartcity-edge.dll</c>), on a generated configuration: one <c>modbus-tcp</c> device per server
/// listener, every register a <c>uint16</c> tag with the default deadband 0 (every change published), the default
/// buffer and MQTT settings (QoS 1, max_batch 500, persistent session) and the status page on a free loopback port.
/// Its data_dir is under <c>--data-dir</c>, which must be a real disk for the write_bytes figure to mean anything.
/// </summary>
internal sealed class GatewayUnderTest : SystemUnderTest
{
    private readonly string _executable;
    private readonly string[] _prefix;
    private readonly string _dataDirectory;
    private int _httpPort;

    public GatewayUnderTest(string name, string description, string executable, string[] prefix, string runDirectory, string dataDirectory)
        : base(name, runDirectory)
    {
        Description = description;
        _executable = executable;
        _prefix = prefix;
        _dataDirectory = dataDirectory;
    }

    public override string Description { get; }

    public override bool IsGateway => true;

    /// <summary>Publishes as a Sparkplug B edge node (group <c>bench</c>, edge node = its name) instead of our JSON.</summary>
    public bool Sparkplug { get; init; }

    public override Task StartAsync(LoadShape shape, IReadOnlyList<int> devicePorts, int brokerPort, int cpu, CancellationToken cancellationToken)
    {
        _httpPort = BenchEnvironment.FreePort();
        string config = Path.Combine(RunDirectory, "gateway.yaml");
        File.WriteAllText(config, Configuration(Name, shape, devicePorts, brokerPort, _dataDirectory, _httpPort, Sparkplug), new UTF8Encoding(false));
        Start(_executable, [.. _prefix, "run", "--config", config], cpu);
        return Task.CompletedTask;
    }

    public override async Task<long?> ManagedHeapBytesAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        string metrics = await http.GetStringAsync($"http://127.0.0.1:{_httpPort}/metrics", cancellationToken);
        string? line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("dotnet_gc_heap_bytes ", StringComparison.Ordinal));
        return line is null ? null : (long)double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
    }

    internal static string Configuration(string gatewayId, LoadShape shape, IReadOnlyList<int> devicePorts, int brokerPort, string dataDirectory, int httpPort, bool sparkplug = false)
    {
        var yaml = new StringBuilder();
        string upstream = sparkplug
            ? $"""
                sparkplug:
                  servers: ["mqtt://127.0.0.1:{brokerPort}"]
                  group_id: {TelemetryCounter.TopicRoot}
                  edge_node_id: {gatewayId}
                  client_id: e2e-{gatewayId}
              """
            : $"""
                mqtt:
                  server: mqtt://127.0.0.1:{brokerPort}
                  client_id: e2e-{gatewayId}
                  topic_prefix: {TelemetryCounter.TopicRoot}/{gatewayId}
              """;
        yaml.Append(CultureInfo.InvariantCulture, $"""
            gateway:
              id: {gatewayId}
              data_dir: {dataDirectory}
            http:
              listen: 127.0.0.1:{httpPort}
            upstream:
            {upstream}
            devices:

            """);
        for (int d = 0; d < shape.Devices; d++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"""
                  - id: {LoadShape.DeviceId(d)}
                    driver: modbus-tcp
                    host: 127.0.0.1
                    port: {devicePorts[d]}
                    unit_id: 1
                    poll_interval: {shape.IntervalText}
                    tags:

                """);
            for (int r = 0; r < shape.Tags; r++)
            {
                yaml.Append(CultureInfo.InvariantCulture, $"      - {{ id: {LoadShape.TagId(r)}, address: \"holding:{r}\" }}\n");
            }
        }

        return yaml.ToString();
    }

    protected override ValueTask DisposeCoreAsync()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}
