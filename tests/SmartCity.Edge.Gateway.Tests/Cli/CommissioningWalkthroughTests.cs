using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Cli;

/// <summary>
/// docs/commissioning.md is this test's output: a technician's first site, step by step, run on the real binary against
/// pymodbus, node-opcua, mosquitto and a webhook receiver. The test renders the page from the run (temp paths and
/// ports replaced by a site's) and compares it with the committed page, digits and spacing aside (times, durations,
/// values); <c>EDGE_COMMISSIONING_DOC=docs/commissioning.md</c> writes it instead. So every command and every line of
/// output in the page is what the gateway really prints.
/// </summary>
public sealed partial class CommissioningWalkthroughTests : IClassFixture<TestCommandPeers>, IDisposable
{
    private const string SiteDirectory = "/etc/smartcity-edge";
    private const string SiteDataDirectory = "/var/lib/smartcity-edge";
    private readonly TestCommandPeers _peers;
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-commissioning-").FullName;
    private readonly List<(string From, string To)> _replacements = [];
    private readonly int _hookPort = FreePort.Next();
    private readonly int _httpPort = FreePort.Next();

    public CommissioningWalkthroughTests(TestCommandPeers peers) => _peers = peers;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Commissioning_FirstSite_EveryCommandPrintsWhatTheDocsShow()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        using var refusing = new RefusingPort();
        int wrongPort = refusing.Port;
        int hookPort = _hookPort;
        int httpPort = _httpPort;
        await using WebhookReceiver receiver = WebhookReceiver.Start(hookPort);
        _replacements.AddRange([
            (Path.Combine(_directory, "support.tar.gz"), "/tmp/gw-7-support.tar.gz"),
            ($"host: 127.0.0.1\n    port: {_peers.Modbus.Port}\n", "host: 10.20.0.11\n    port: 502\n"),
            (_directory + "/data", SiteDataDirectory),
            (_directory, SiteDirectory),
            ($"127.0.0.1:{_peers.Modbus.Port}", "10.20.0.11:502"),
            ($"127.0.0.1:{_peers.OpcUa.Port}", "10.20.0.12:4840"),
            ($"127.0.0.1:{wrongPort}", "10.20.0.5:1884"),
            ($"127.0.0.1:{broker.Port}", "10.20.0.5:1883"),
            ($"127.0.0.1:{hookPort}", "desk.park.example:9000"),
            ($"127.0.0.1:{httpPort}", "127.0.0.1:8080"),
            ($"port {wrongPort}", "port 1884"),
        ]);
        File.WriteAllText(Path.Combine(_directory, "webhook.secret"), "desk-shared-secret-0123456789\n");
        string config = Path.Combine(_directory, "gateway.yaml");
        var page = new StringBuilder();
        page.Append("""
            # Commissioning a site, step by step

            A technician's first day on a site: the gateway installed (service.md), the PLC, the door controller, the
            park's broker and the security desk's webhook reachable. Every command below was run, and every output is
            what it printed: this page is written by `CommissioningWalkthroughTests` from a real run against pymodbus,
            node-opcua, mosquitto and a webhook receiver (addresses and paths replaced by a site's; times, durations and
            values are that run's). `EDGE_COMMISSIONING_DOC=docs/commissioning.md` rewrites it; the test fails when the
            page and the gateway's output drift apart.

            """);

        // 1. The file, with two typical mistakes: a misspelt type and the broker's TLS port number on a plain listener.
        string yaml = Site(typeName: "flaot32", brokerPort: wrongPort);
        File.WriteAllText(config, yaml);
        page.Append("""

            ## 1. Write the configuration

            `/etc/smartcity-edge/gateway.yaml` (configuration.md has every key). Two mistakes are in it on purpose:
            a misspelt type, and the wrong broker port.

            ```yaml

            """).Append(Normalize(yaml)).Append("```\n");

        // 2. validate finds the typo, with the spelling meant.
        (int exit, string stdout, string stderr) = await GatewayProcess.RunToEndAsync("validate", "--config", config);
        Assert.True(exit == 1, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Contains("did you mean 'float32'", stderr, StringComparison.Ordinal);
        Section(page, "2. Check the file", "`validate` reads the file as the service would, without touching any device. Every problem is\n`file:line:col key: message`, with the fix when there is an obvious one:", "validate --config " + config, exit, stdout + stderr);

        yaml = Site(typeName: "float32", brokerPort: wrongPort);
        File.WriteAllText(config, yaml);
        (exit, stdout, stderr) = await GatewayProcess.RunToEndAsync("validate", "--config", config);
        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Contains("command topics smartcity/north-park/gw-7/commands/ack", stdout, StringComparison.Ordinal);
        Section(page, null, "After writing `type: float32`, the summary: what the gateway will do, the topic prefix the park's systems\nsubscribe to, and the command topics the security desk publishes on:", "validate --config " + config, exit, stdout + stderr);

        // 3. test: the devices answer, the broker port is wrong.
        (exit, stdout, stderr) = await GatewayProcess.RunToEndAsync("test", "--config", config);
        Assert.True(exit == 1, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Contains($"upstream.mqtt.server: cannot reach mqtt 127.0.0.1:{wrongPort}: connection refused", stdout, StringComparison.Ordinal);
        Section(page, "3. Test against the real devices and the upstream", "`test` connects to every device, reads each tag once and shows the value as it would be published, the\nalarm rules those values trip, and then checks the upstream: it connects to the broker with the configured TLS\nand credentials (as `CLIENT_ID-test`: a running gateway is not disturbed), subscribes to the command topics, and\nposts one test delivery to each webhook, marked `\"test\": true` and `X-SmartCity-Test: 1`. Nothing is published or\nbuffered. `validate` could not know the broker port is wrong; `test` does, and names the key to change:", "test --config " + config, exit, stdout);

        yaml = Site(typeName: "float32", brokerPort: broker.Port);
        File.WriteAllText(config, yaml);
        (exit, stdout, stderr) = await GatewayProcess.RunToEndAsync("test", "--config", config);
        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Contains("upstream 2 of 2 ok", stdout, StringComparison.Ordinal);
        ReceivedPost post = await receiver.Posts.ReadAsync().AsTask().WaitAsync(TestTimeouts.Short);
        Assert.Equal("1", post.TestMarker);
        Section(page, null, "With `server: mqtt://10.20.0.5:1883` everything is green, and the desk saw the test delivery arrive:", "test --config " + config, exit, stdout);

        // 4. run: the start-up line repeats the summary.
        await using (GatewayProcess gateway = GatewayProcess.Start("run", "--config", config))
        {
            await gateway.WaitForLogAsync($"Status page, health and metrics on http://127.0.0.1:{httpPort}/", TestTimeouts.Long);
            string starting = gateway.Log.Split('\n').First(l => l.Contains("Starting from", StringComparison.Ordinal));
            string listening = gateway.Log.Split('\n').First(l => l.Contains("Status page, health and metrics on", StringComparison.Ordinal));
            page.Append(CultureInfo.InvariantCulture, $"""

                ## 4. Start the service

                `sudo systemctl enable --now smartcity-edge` (service.md). Its first log lines
                (`journalctl -u smartcity-edge`) repeat the summary and give the status page's address
                (open it through an SSH tunnel, `ssh -L 8080:127.0.0.1:8080 gw-7`; [status-page.png](status-page.png) shows one):

                ```
                {Normalize(starting)}
                {Normalize(listening)}
                ```

                """);

            // 5. support-bundle beside the running gateway.
            (exit, stdout, stderr) = await GatewayProcess.RunToEndAsync("support-bundle", "--config", config, "--out", Path.Combine(_directory, "support.tar.gz"));
            Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
            Section(page, "5. When something is wrong later", "`support-bundle` writes one archive to attach to a ticket: the configuration with every secret redacted,\nthe status, metrics and buffer statistics of the running gateway, the last log lines, the OPC UA\ncertificate lists and the TLS certificates' expiry dates (service.md, \"Support bundle\"):", "support-bundle --config " + config + " --out " + Path.Combine(_directory, "support.tar.gz"), exit, stdout + stderr);
        }

        string rendered = page.ToString();
        string committed = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "docs", "commissioning.md"));
        if (Environment.GetEnvironmentVariable("EDGE_COMMISSIONING_DOC") is { Length: > 0 } target)
        {
            File.WriteAllText(target, rendered);
            return;
        }

        Assert.True(File.Exists(committed), $"{committed} is missing; write it with EDGE_COMMISSIONING_DOC={committed}");
        Assert.Equal(Masked(File.ReadAllText(committed)), Masked(rendered));
    }

    private void Section(StringBuilder page, string? title, string prose, string command, int exit, string output)
    {
        if (title is not null)
        {
            page.Append(CultureInfo.InvariantCulture, $"\n## {title}\n");
        }

        page.Append(CultureInfo.InvariantCulture, $"\n{prose}\n\n```\n$ smartcity-edge {Normalize(command)}\n{Normalize(output).TrimEnd()}\n```\n\n");
        page.Append(CultureInfo.InvariantCulture, $"Exit code {exit}.\n");
    }

    private string Normalize(string text)
    {
        foreach ((string from, string to) in _replacements)
        {
            text = text.Replace(from, to, StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>The page with every number and run of spaces made equal: what differs between two honest runs.</summary>
    private static string Masked(string text) => Spaces().Replace(Digits().Replace(text, "#"), " ");

    private string Site(string typeName, int brokerPort) => $$"""
        gateway:
          id: gw-7
          site: north-park
          data_dir: {{_directory}}/data
        devices:
          - id: plc
            driver: modbus-tcp
            host: 127.0.0.1
            port: {{_peers.Modbus.Port}}
            unit_id: 1
            tags:
              - { id: supply_temp, address: "input:2", type: {{typeName}}, unit: "°C" }
              - { id: status, address: "holding:0", type: int16 }
              - { id: relay, address: "coil:1" }
          - id: doors
            driver: opcua
            endpoint: opc.tcp://127.0.0.1:{{_peers.OpcUa.Port}}
            tags:
              - { id: door1_open, node: "ns=1;s=Park.Building1.Door1.Open", mode: poll }
        alarms:
          - id: supply-hot
            tag: plc/supply_temp
            above: 20
            severity: high
            message: "supply at {value} {unit}"
        webhooks:
          - url: http://127.0.0.1:{{_hookPort}}/alarms
            secret: ${file:webhook.secret}
        upstream:
          mqtt:
            server: mqtt://127.0.0.1:{{brokerPort}}
            client_id: gw-7
        http:
          listen: 127.0.0.1:{{_httpPort}}

        """;

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();

    [GeneratedRegex(@"[ \t]+")]
    private static partial Regex Spaces();
}
