using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Service;

/// <summary>
/// The HTTP endpoint's protections on the real binary: Host checking against DNS rebinding (also from a real
/// browser whose resolver points a foreign name at the gateway), the token required off loopback, and the
/// token's clients: the status page in headless Chromium and a real Prometheus scraping with a bearer token.
/// </summary>
public sealed partial class HttpSecurityTests : IDisposable
{
    private const string Token = "http-token-0123456789abcdef";
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-httpsec-").FullName;
    private readonly HttpClient _http = new() { Timeout = TestTimeouts.Short };

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task HostHeader_ForeignName_Refused421OnEveryPath_OwnAddressLocalhostAndAllowedNameServed()
    {
        string config = TestConfigs.Write(_directory, Park("""
            http:
              listen: 127.0.0.1:0
              allowed_hosts: [gw-7.park.example]
            """));
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        int port = await gateway.WaitForHttpPortAsync();
        await WaitForHealthAsync(port, gateway);

        foreach (string path in (string[])["/healthz", "/readyz", "/metrics", "/api/status", "/"])
        {
            (HttpStatusCode refused, string body) = await GetAsync(port, path, host: $"rebind.example:{port}");
            Assert.Equal(HttpStatusCode.MisdirectedRequest, refused);
            Assert.Contains("add the name to http.allowed_hosts", body, StringComparison.Ordinal);
        }

        foreach (string host in (string[])[$"127.0.0.1:{port}", $"localhost:{port}", "gw-7.park.example", "GW-7.park.example:443"])
        {
            (HttpStatusCode served, _) = await GetAsync(port, "/api/status", host);
            Assert.True(served == HttpStatusCode.OK, $"{host}: {served}");
        }

        Assert.Contains("HTTP request for host 'rebind.example' refused (421)", gateway.Log, StringComparison.Ordinal);
        Assert.Single(gateway.Log.Split('\n'), l => l.Contains("refused (421)", StringComparison.Ordinal)); // once per name

        // A real browser tricked by DNS: its resolver says rebind.example is the gateway's address.
        string dom = await HeadlessChromium.DumpDomAsync(
            $"http://rebind.example:{port}/", Path.Combine(_directory, "profile"), ["--host-resolver-rules=MAP rebind.example 127.0.0.1"]);
        Assert.Contains("does not answer to that host name", dom, StringComparison.Ordinal);
        Assert.DoesNotContain("class=\"device\"", dom, StringComparison.Ordinal);
        Assert.DoesNotContain("counter", dom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListenOffLoopbackWithoutToken_ValidateRefuses_AllowUnauthenticatedRunsAndWarns()
    {
        string config = TestConfigs.Write(_directory, Park("http:\n  listen: 0.0.0.0:0\n"));

        (int exitCode, _, string stderr) = await GatewayProcess.RunToEndAsync("validate", "--config", config);
        Assert.Equal(1, exitCode);
        Assert.Contains("http.listen: 0.0.0.0:0 is reachable from the network, and without http.token anyone there can read", stderr, StringComparison.Ordinal);

        TestConfigs.Write(_directory, Park("http:\n  listen: 0.0.0.0:0\n  allow_unauthenticated: true\n"));
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        int port = await gateway.WaitForHttpPortAsync();
        await WaitForHealthAsync(port, gateway);
        Assert.Contains("http.allow_unauthenticated: http.listen 0.0.0.0:0 is not a loopback address and no http.token is set", gateway.Log, StringComparison.Ordinal);

        // A wildcard listener answers any address literal, never a foreign name.
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(port, "/api/status", $"127.0.0.1:{port}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(port, "/api/status", $"192.0.2.7:{port}")).Status);
        Assert.Equal(HttpStatusCode.MisdirectedRequest, (await GetAsync(port, "/api/status", $"rebind.example:{port}")).Status);
    }

    [Fact]
    public async Task StatusPage_WithToken_RendersAndRefreshesInChromium_WithoutToken401()
    {
        string config = TestConfigs.Write(_directory, Park($"http:\n  listen: 127.0.0.1:0\n  token: {Token}\n"));
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        int port = await gateway.WaitForHttpPortAsync();
        await WaitForHealthAsync(port, gateway);
        await WaitUntilAsync(async () => (await GetAsync(port, "/api/status", token: Token)).Body.Contains("\"quality\":\"good\"", StringComparison.Ordinal), gateway);

        string dom = await HeadlessChromium.DumpDomAsync($"http://127.0.0.1:{port}/?token={Token}", Path.Combine(_directory, "profile"));
        Assert.Matches("<article class=\"device\" data-device=\"counter\"><h2>counter<span class=\"badge state online\">online</span>", dom);
        // The embedded snapshot and at least one refresh from /api/status, which needs the token too.
        Assert.Matches(@"<body data-renders=""([2-9]|\d\d+)"">", dom);

        string refused = await HeadlessChromium.DumpDomAsync($"http://127.0.0.1:{port}/", Path.Combine(_directory, "profile"));
        Assert.Contains("a bearer token is required", refused, StringComparison.Ordinal);
        Assert.DoesNotContain("class=\"device\"", refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prometheus_ScrapesWithBearerToken_Up_WithoutToken_Down401()
    {
        string config = TestConfigs.Write(_directory, Park($"http:\n  listen: 127.0.0.1:0\n  token: {Token}\n"));
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        int port = await gateway.WaitForHttpPortAsync();
        await WaitForHealthAsync(port, gateway);

        string tokenFile = Path.Combine(_directory, "prometheus-token");
        await File.WriteAllTextAsync(tokenFile, Token);
        int prometheusPort = FreePort.Next();
        string prometheusConfig = Path.Combine(_directory, "prometheus.yml");
        await File.WriteAllTextAsync(prometheusConfig, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: edge
                authorization:
                  type: Bearer
                  credentials_file: {tokenFile}
                static_configs:
                  - targets: ["127.0.0.1:{port}"]
              - job_name: edge-without-token
                static_configs:
                  - targets: ["127.0.0.1:{port}"]
            """);
        using Process prometheus = Process.Start(new ProcessStartInfo("prometheus",
            [$"--config.file={prometheusConfig}", $"--storage.tsdb.path={Path.Combine(_directory, "tsdb")}", $"--web.listen-address=127.0.0.1:{prometheusPort}"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        prometheus.BeginErrorReadLine();
        prometheus.BeginOutputReadLine();
        try
        {
            // Prometheus's own view of both targets, waited for until the one with the token is up and the other has been
            // refused: on a loaded machine a scrape can first time out (1 s), which is "down" for a reason not under test.
            JsonElement[] targets = [];
            await WaitUntilAsync(async () =>
            {
                try
                {
                    JsonElement data = JsonDocument.Parse(await _http.GetStringAsync(new Uri($"http://127.0.0.1:{prometheusPort}/api/v1/targets"))).RootElement.GetProperty("data");
                    targets = [.. data.GetProperty("activeTargets").EnumerateArray()];
                    return targets.Length == 2
                        && targets.Any(t => t.GetProperty("labels").GetProperty("job").GetString() == "edge" && t.GetProperty("health").GetString() == "up")
                        && targets.Any(t => t.GetProperty("labels").GetProperty("job").GetString() == "edge-without-token" && (t.GetProperty("lastError").GetString() ?? "").Contains("401", StringComparison.Ordinal));
                }
                catch (HttpRequestException)
                {
                    return false; // not listening yet
                }
            }, gateway);

            JsonElement withToken = targets.Single(t => t.GetProperty("labels").GetProperty("job").GetString() == "edge");
            JsonElement without = targets.Single(t => t.GetProperty("labels").GetProperty("job").GetString() == "edge-without-token");
            Assert.True(withToken.GetProperty("health").GetString() == "up", withToken.ToString());
            Assert.Equal("down", without.GetProperty("health").GetString());
            Assert.Contains("401", without.GetProperty("lastError").GetString(), StringComparison.Ordinal);

            // And the samples are in Prometheus: the gateway's reading counter for the device.
            await WaitUntilAsync(async () =>
            {
                string result = await _http.GetStringAsync(new Uri($"http://127.0.0.1:{prometheusPort}/api/v1/query?query=smartcity_edge_readings_total%7Bjob%3D%22edge%22%2Cdevice%3D%22counter%22%7D"));
                return ResultValue().IsMatch(result);
            }, gateway);
        }
        finally
        {
            prometheus.Kill();
            await prometheus.WaitForExitAsync();
        }
    }

    private string Park(string http) =>
        $"""
        gateway:
          id: httpsec-gw
          data_dir: {_directory}/data
        devices:
        {TestConfigs.CounterDevice("counter", "100ms")}
        upstream:
          console: true
        {http}
        """;

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(int port, string path, string? host = null, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}{path}");
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using HttpResponseMessage response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task WaitForHealthAsync(int port, GatewayProcess gateway) =>
        await WaitUntilAsync(async () =>
        {
            try
            {
                return (await GetAsync(port, "/healthz")).Status == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false; // not listening yet
            }
        }, gateway);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, GatewayProcess gateway)
    {
        DateTime deadline = DateTime.UtcNow + TestTimeouts.Long;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline && !gateway.HasExited, "the expected state never came:\n" + gateway.Log);
            await Task.Delay(100);
        }
    }

    [GeneratedRegex(@"""value"":\[[0-9.]+,""[1-9][0-9]*""\]")]
    private static partial Regex ResultValue();
}
