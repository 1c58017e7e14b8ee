using System.Net.Http.Headers;
using SmartCity.Edge.Gateway.Tests.Cli;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Service;

/// <summary>
/// The days left on the gateway's OPC UA application certificate on <c>/metrics</c>: the real binary with a secured
/// <c>opcua</c> device against the real node-opcua server; the gauge is parsed by the reference Prometheus parser.
/// </summary>
public sealed class OpcUaCertificateMetricsTests : IAsyncLifetime
{
    private const string Token = "test-token-opcua-0123456789";
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-ua-metrics-").FullName;
    private readonly HttpClient _http = new() { Timeout = TestTimeouts.Short };
    private PeerProcess _server = null!;

    public async Task InitializeAsync()
    {
        string peer = Path.Combine(PeerProcess.PeersDirectory, "opcua");
        Assert.True(Directory.Exists(Path.Combine(peer, "node_modules", "node-opcua")), "node-opcua is not installed: run tests/peers/install.sh");
        _server = await PeerProcess.StartAsync("node", Path.Combine(peer, "server.js"), "0", Path.Combine(_directory, "server-pki"));
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Metrics_SecuredOpcUaDevice_ReportsDaysLeftOnApplicationCertificate()
    {
        string config = TestConfigs.Write(_directory, $$"""
            gateway:
              id: ua-metrics
              site: lab
              data_dir: {{_directory}}/data
            devices:
              - id: plc
                driver: opcua
                endpoint: opc.tcp://127.0.0.1:{{_server.Port}}
                security: { policy: auto, check_hostname: false, trust_on_first_use: true, certificate_validity_days: 30 }
                tags:
                  - { id: temp, node: "ns=1;s=Scalars.Double", mode: poll }
            http:
              listen: 127.0.0.1:0
              token: {{Token}}
            """);
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        int port = await gateway.WaitForHttpPortAsync();

        // The driver reports the gauge when it loads the certificate (created on this first start): scrape until then.
        IReadOnlyList<MetricSample> metrics = [];
        using var timeout = new CancellationTokenSource(TestTimeouts.Long);
        while (!metrics.Any(s => s.Name == "smartcity_edge_opcua_certificate_days_left"))
        {
            await Task.Delay(100, timeout.Token); // scraping until the state is there, not synchronising on time
            metrics = await ScrapeAsync(port);
        }

        MetricSample daysLeft = Assert.Single(metrics, s => s.Name == "smartcity_edge_opcua_certificate_days_left");
        Assert.Equal("gauge", daysLeft.Type);
        Assert.Equal("plc", daysLeft.Labels["device"]);
        Assert.InRange(daysLeft.Value, 29.99, 30.0);
        Assert.True(File.Exists(Path.Combine(_directory, "data", "pki", "own", "certs", "smartcity-edge.der")), gateway.Log);
    }

    private async Task<IReadOnlyList<MetricSample>> ScrapeAsync(int port)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        try
        {
            using HttpResponseMessage response = await _http.SendAsync(request);
            return response.IsSuccessStatusCode ? await PrometheusParser.ParseAsync(await response.Content.ReadAsStringAsync()) : [];
        }
        catch (HttpRequestException)
        {
            return []; // not listening yet
        }
    }
}
