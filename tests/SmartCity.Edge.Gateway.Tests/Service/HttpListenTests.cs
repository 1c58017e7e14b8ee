using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Service;

/// <summary>
/// Where the status page listens, on the real binary: a port already taken is one clear log line and the data path goes
/// on; the built-in demo moves to a free port when 8080 is taken; <c>run --http-listen</c> overrides <c>http.listen</c>.
/// </summary>
public sealed partial class HttpListenTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-listen-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task HttpEndpoint_PortTaken_OneLogLineNamingThePortAndTheFix_NoStackTrace_DataPathRuns()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        int port = ((IPEndPoint)occupant.LocalEndpoint).Port;
        string config = CounterConfig($"127.0.0.1:{port}", console: true);

        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        await gateway.WaitForLogAsync($"could not listen on 127.0.0.1:{port}", TestTimeouts.Long);
        // The data path keeps running: telemetry still reaches the console publisher after the failure.
        int printed = gateway.StandardOutput.Count;
        await WaitUntilAsync(() => gateway.StandardOutput.Count > printed + 2, gateway);

        string[] lines = gateway.Log.Split('\n');
        string failure = Assert.Single(lines, l => l.Contains($"127.0.0.1:{port}", StringComparison.Ordinal));
        Assert.Contains($"port {port} is already in use by another program", failure, StringComparison.Ordinal);
        Assert.Contains("change http.listen (or start with run --http-listen ADDRESS:PORT)", failure, StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.Contains("Hosting failed", StringComparison.Ordinal) || l.Contains("Exception", StringComparison.Ordinal) || StackFrame().IsMatch(l));
        Assert.False(gateway.HasExited, gateway.Log);
    }

    [Fact]
    public async Task Demo_Port8080Taken_MovesToAFreePortAndLogsItsUrl()
    {
        // Take 8080 for the test; if another program already holds it, it is taken all the same.
        using var occupant = new TcpListener(IPAddress.Loopback, 8080);
        try
        {
            occupant.Start();
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
        }

        await using GatewayProcess gateway = GatewayProcess.StartIn(_directory, "run");
        await gateway.WaitForLogAsync("Port 127.0.0.1:8080 is already in use", TestTimeouts.Long);
        Uri url = await gateway.WaitForHttpAsync();
        Assert.Equal(("127.0.0.1", true), (url.Host, url.Port != 8080));

        using var http = new HttpClient();
        JsonElement status = JsonDocument.Parse(await http.GetStringAsync(new Uri(url, "api/status"))).RootElement;
        Assert.Equal("demo-park-01", status.GetProperty("gateway").GetString());
        Assert.DoesNotContain("could not listen", gateway.Log, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(_directory, "data", "demo")), "the demo keeps its data in ./data/demo of its working directory");
    }

    [Fact]
    public async Task HttpListen_PortZero_LogsTheBoundPortAndThatPortAnswers()
    {
        string config = CounterConfig("127.0.0.1:0");

        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        Uri status = await gateway.WaitForHttpAsync();

        Assert.Equal("127.0.0.1", status.Host);
        Assert.NotEqual(0, status.Port);
        using var http = new HttpClient();
        Assert.Equal("ok\n", await http.GetStringAsync(new Uri(status, "healthz")));
        JsonElement api = JsonDocument.Parse(await http.GetStringAsync(new Uri(status, "api/status"))).RootElement;
        Assert.Equal("listen-gw", api.GetProperty("gateway").GetString());
        Assert.Single(gateway.Log.Split('\n'), l => l.Contains("Status page, health and metrics on", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_HttpListenOption_ServesThereInsteadOfHttpListen()
    {
        // Configured but never listened on: only a port number is needed, not a listener.
        int configured = FreePort.Next();
        string config = CounterConfig($"127.0.0.1:{configured}");

        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config, "--http-listen", "127.0.0.1:0");
        int overridden = await gateway.WaitForHttpPortAsync();
        Assert.NotEqual(configured, overridden);
        using var http = new HttpClient();
        Assert.Equal("ok\n", await http.GetStringAsync($"http://127.0.0.1:{overridden}/healthz"));
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync($"http://127.0.0.1:{configured}/healthz"));

        // Off loopback the same rule as http.listen: not without a token.
        (int exitCode, _, string stderr) = await GatewayProcess.RunToEndAsync("run", "--config", config, "--http-listen", $"0.0.0.0:{overridden}");
        Assert.Equal(2, exitCode);
        Assert.Contains("run: --http-listen 0.0.0.0:", stderr, StringComparison.Ordinal);
        Assert.Contains("without http.token anyone there can read the status page", stderr, StringComparison.Ordinal);
        (exitCode, _, stderr) = await GatewayProcess.RunToEndAsync("run", "--config", config, "--http-listen", "8080");
        Assert.Equal((2, "run: --http-listen '8080' is not an address and port (write 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080)"), (exitCode, stderr.Trim()));
    }

    /// <summary>A counter gateway whose status page is configured at <paramref name="listen"/>; its file's path.</summary>
    private string CounterConfig(string listen, bool console = false) => TestConfigs.Write(_directory, $"""
        gateway:
          id: listen-gw
          data_dir: {_directory}/data
        devices:
        {TestConfigs.CounterDevice("counter-1", "200ms")}
        {(console ? "upstream:\n  console: true" : string.Empty)}
        http:
          listen: {listen}
        """);

    private static async Task WaitUntilAsync(Func<bool> condition, GatewayProcess gateway)
    {
        DateTime deadline = DateTime.UtcNow + TestTimeouts.Long;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline && !gateway.HasExited, "no telemetry after the endpoint failed:\n" + gateway.Log);
            await Task.Delay(50);
        }
    }

    /// <summary>A .NET stack frame line ("   at Namespace.Type.Method(…)").</summary>
    [GeneratedRegex(@"^\s+at \S+\(")]
    private static partial Regex StackFrame();
}
