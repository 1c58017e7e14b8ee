using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Cli;

/// <summary>
/// <c>smartcity-edge test</c>, run as the real binary on a configuration of real devices: pymodbus (values through
/// byte order and scale), node-opcua (a subscribed and a polled tag), a simulator, and a Modbus device on a closed port.
/// </summary>
public sealed class TestCommandTests : IClassFixture<TestCommandPeers>, IDisposable
{
    private readonly TestCommandPeers _peers;
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-test-cmd-").FullName;
    private readonly string _dataDir;
    private readonly TcpListener _mqtt = new(IPAddress.Loopback, 0);
    private readonly RefusingPort _closed = new();

    public TestCommandTests(TestCommandPeers peers)
    {
        _peers = peers;
        _dataDir = Path.Combine(_directory, "data");

        // An MQTT "broker" that only listens: the test command must never connect to it.
        _mqtt.Start();
    }

    public void Dispose()
    {
        _mqtt.Stop();
        _closed.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Test_MixedDevicesWithOneUnreachable_PrintsConvertedValuesAndTheErrorAndExitsOne()
    {
        (int exitCode, string stdout, string stderr) = await RunAsync("--config", WriteConfig(Devices(withClosed: true)), "--wait", "10s");

        Assert.True(exitCode == 1, $"exit {exitCode}\n{stdout}\n{stderr}");

        // Each value as the driver converts it: word order, scale, type.
        Assert.Matches(@"plc \(modbus-tcp\): answered in \d+ ms", stdout);
        Assert.Matches(@"supply_temp\s+21\.5\s+°C\s+good\s+\d{4}-\d\d-\d\dT", stdout);
        Assert.Matches(@"flow\s+-123\.45\s+m3/h\s+good", stdout);
        Assert.Matches(@"status\s+-12345\s+good", stdout);
        Assert.Matches(@"relay\s+false\s+good", stdout);

        // OPC UA: the subscribed tag's first pushed value, and a polled one.
        Assert.Matches(@"ua \(opcua\): answered in \d+ ms", stdout);
        Assert.Matches(@"door_open\s+true\s+good", stdout);
        Assert.Matches(@"pi\s+3\.14159\s+good", stdout);
        Assert.Matches(@"missing\s+-\s+bad\s+BadNodeIdUnknown", stdout);

        Assert.Matches(@"sim \(simulator\): answered in \d+ ms", stdout);
        Assert.Matches(@"level\s+42\.5\s+ppm\s+good", stdout);

        // The unreachable device: its error as the service would log it, and the others still printed.
        Assert.Matches($@"dead \(modbus-tcp\): FAILED after \d+ ms \[refused\]\n  .*127\.0\.0\.1:{_closed.Port}", stdout);

        // The alarm rule on the value read.
        Assert.Matches(@"supply-hot\s+active\s+high\s+plc/supply_temp\s+21\.5\s+supply at 21\.5 °C; actions not run: plc/relay = true", stdout);
        Assert.Matches(@"level-low\s+inactive\s+warning\s+sim/level\s+42\.5", stdout);
        Assert.Contains("4 devices tested: 3 answered, 1 failed; 7 of 9 tags good; 1 of 2 alarm rules active", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_BadTags_DriverHintsUnderTheTable_TheSameTextInTheLogAndInModbusRead()
    {
        string modbusPort = _peers.Modbus.Port.ToString(CultureInfo.InvariantCulture);
        string uaPort = _peers.OpcUa.Port.ToString(CultureInfo.InvariantCulture);
        string config = WriteConfig($$"""
              - id: plc
                driver: modbus-tcp
                host: 127.0.0.1
                port: {{modbusPort}}
                unit_id: 1
                tags:
                  - { id: status, address: "holding:0", type: int16 }
                  - { id: spare, address: "holding:505" }
              - id: ua
                driver: opcua
                endpoint: opc.tcp://127.0.0.1:{{uaPort}}
                tags:
                  - { id: missing, node: "ns=1;s=Scalars.Nope", mode: poll }
            """);

        (int exitCode, string stdout, string stderr) = await RunAsync("--config", config, "--json");
        Assert.True(exitCode == 1, $"exit {exitCode}\n{stdout}\n{stderr}");
        JsonElement devices = JsonDocument.Parse(stdout).RootElement.GetProperty("devices");
        string modbusHint = Tag(devices[0], "spare").GetProperty("hint").GetString()!;
        string uaHint = Tag(devices[1], "missing").GetProperty("hint").GetString()!;
        Assert.Equal("sent holding address 505 (0-based): the device has no such address; check the register map (0-based addresses: often off by one)", modbusHint);
        Assert.Equal("the server has no node ns=1;s=Scalars.Nope; run `smartcity-edge opcua browse --config FILE --device ua` to list its node ids, then correct node:", uaHint);

        (exitCode, stdout, stderr) = await RunAsync("--config", config);
        Assert.True(exitCode == 1, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Matches(@"spare\s+-\s+bad\s+IllegalDataAddress \(02\)", stdout);
        Assert.Contains("\n  spare: " + modbusHint + "\n", stdout, StringComparison.Ordinal);
        Assert.Contains("\n  missing: " + uaHint + "\n", stdout, StringComparison.Ordinal);

        // The drivers' warnings on stderr carry the same text as the service log would.
        Assert.Contains("Modbus device plc: tag spare is bad: IllegalDataAddress (02); " + modbusHint, stderr, StringComparison.Ordinal);
        Assert.Contains("is bad: BadNodeIdUnknown; " + uaHint, stderr, StringComparison.Ordinal);

        // And the technician's Modbus tool names the same hint.
        (_, string read, string readError) = await GatewayProcess.RunToEndAsync("modbus", "read", "--host", "127.0.0.1", "--port", modbusPort, "--unit", "1", "holding:505", "--count", "1");
        Assert.Contains("the device has no such address; check the register map (0-based addresses: often off by one)", read + readError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_OnlyAnsweringDevicesWithGoodTags_ExitsZero()
    {
        (int exitCode, string stdout, string stderr) = await RunAsync("--config", WriteConfig(Devices(withClosed: false, withMissingNode: false)), "--wait", "10s");

        Assert.True(exitCode == 0, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains("3 devices tested: 3 answered, 0 failed; 7 of 7 tags good", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_DeviceFilter_TestsOnlyTheNamedDevices()
    {
        (int exitCode, string stdout, string stderr) = await RunAsync("--config", WriteConfig(Devices(withClosed: true)), "--device", "sim", "--device", "plc");

        Assert.True(exitCode == 0, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains("plc (modbus-tcp): answered", stdout, StringComparison.Ordinal);
        Assert.Contains("sim (simulator): answered", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("ua (opcua)", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("dead (modbus-tcp)", stdout, StringComparison.Ordinal);
        Assert.Contains("2 devices tested: 2 answered, 0 failed; 5 of 5 tags good", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_Json_HoldsTheSameValuesAsTheTable()
    {
        (int exitCode, string stdout, string stderr) = await RunAsync("--config", WriteConfig(Devices(withClosed: true)), "--wait", "10s", "--json");

        Assert.True(exitCode == 1, $"exit {exitCode}\n{stdout}\n{stderr}");
        using JsonDocument document = JsonDocument.Parse(stdout);
        JsonElement root = document.RootElement;
        Assert.False(root.GetProperty("ok").GetBoolean());
        Dictionary<string, JsonElement> devices = root.GetProperty("devices").EnumerateArray().ToDictionary(d => d.GetProperty("id").GetString()!);
        Assert.Equal(["plc", "ua", "sim", "dead"], devices.Keys);

        JsonElement supply = Tag(devices["plc"], "supply_temp");
        Assert.Equal(21.5, supply.GetProperty("value").GetDouble());
        Assert.Equal("°C", supply.GetProperty("unit").GetString());
        Assert.Equal("good", supply.GetProperty("quality").GetString());
        Assert.True(DateTimeOffset.TryParse(supply.GetProperty("source_time").GetString(), CultureInfo.InvariantCulture, out _));
        Assert.Equal(-123.45, Tag(devices["plc"], "flow").GetProperty("value").GetDouble());
        Assert.Equal(-12345, Tag(devices["plc"], "status").GetProperty("value").GetInt64());
        Assert.False(Tag(devices["plc"], "relay").GetProperty("value").GetBoolean());
        Assert.True(Tag(devices["ua"], "door_open").GetProperty("value").GetBoolean());
        Assert.Equal(3.14159, Tag(devices["ua"], "pi").GetProperty("value").GetDouble());
        JsonElement missing = Tag(devices["ua"], "missing");
        Assert.Equal(JsonValueKind.Null, missing.GetProperty("value").ValueKind);
        Assert.Equal("bad", missing.GetProperty("quality").GetString());
        Assert.Equal("BadNodeIdUnknown", missing.GetProperty("reason").GetString());
        Assert.Equal(42.5, Tag(devices["sim"], "level").GetProperty("value").GetDouble());

        JsonElement dead = devices["dead"];
        Assert.False(dead.GetProperty("answered").GetBoolean());
        Assert.Equal("refused", dead.GetProperty("error_kind").GetString());
        Assert.Contains($"127.0.0.1:{_closed.Port}", dead.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(dead.GetProperty("tags").EnumerateArray());

        JsonElement alarm = root.GetProperty("alarms").EnumerateArray().Single(a => a.GetProperty("id").GetString() == "supply-hot");
        Assert.Equal("active", alarm.GetProperty("state").GetString());
        Assert.Equal(21.5, alarm.GetProperty("value").GetDouble());
        Assert.Equal("supply at 21.5 °C", alarm.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Test_ActiveAlarmWithAction_WritesNothingAndOpensNeitherBufferNorMqtt()
    {
        int requestsBefore = _peers.Modbus.Lines.Count;

        (int exitCode, string stdout, string stderr) = await RunAsync("--config", WriteConfig(Devices(withClosed: false)), "--device", "plc");

        Assert.True(exitCode == 0, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Matches(@"supply-hot\s+active", stdout);

        // pymodbus logs every request: reads of our plan only, no write function (05, 06, 15, 16).
        string[] requests = _peers.Modbus.Lines.Skip(requestsBefore).ToArray();
        Assert.NotEmpty(requests);
        Assert.All(requests, r => Assert.Matches(@"^REQ fc=(1|2|3|4) ", r));

        Assert.False(_mqtt.Pending(), "the test command connected to the MQTT broker");
        string[] written = Directory.Exists(_dataDir)
            ? Directory.EnumerateFiles(_dataDir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_dataDir, f)).ToArray()
            : [];
        Assert.DoesNotContain(written, f => !f.StartsWith("pki" + Path.DirectorySeparatorChar, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Test_DeviceThatNeverAnswers_FailsAtTheTimeoutWhileTheOthersPrint()
    {
        // Accepted by the kernel's backlog, never answered: the driver's own 5 s timeout is longer than --timeout.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        string silentPort = ((IPEndPoint)silent.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        string devices = Devices(withClosed: false) + $$"""

              - id: silent
                driver: modbus-tcp
                host: 127.0.0.1
                port: {{silentPort}}
                unit_id: 1
                timeout: 5s
                tags:
                  - { id: pressure, address: "holding:0" }
            """;

        (int exitCode, string stdout, string stderr) = await RunAsync("--config", WriteConfig(devices), "--device", "silent", "sim", "--timeout", "500ms");

        // --timeout is one budget for connect plus the first poll. The connect to the listener is made on a thread-pool
        // thread, which a loaded machine (cold pool, 2 cores) can take longer than 500 ms to give: then the budget runs
        // out while connecting, not polling. Either way it is the --timeout that ends the device, which is the behaviour.
        Assert.True(exitCode == 1, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Matches(@"silent \(modbus-tcp\): FAILED after \d+ ms \[timeout\]\n  no answer within 500ms while (connecting|polling) \(--timeout\)", stdout);
        Assert.Matches(@"level\s+42\.5\s+ppm\s+good", stdout);
    }

    [Fact]
    public async Task Test_ConfigurationError_ExitsTwoWithFileLineAndColumn()
    {
        string config = WriteConfig("""
              - id: plc
                driver: modbus-tcp
                host: 127.0.0.1
                unit_id: 1
                tags:
                  - id: temp
                    address: holding:104
                    type: float32
                    order: CBDA
            """);

        (int exitCode, string stdout, string stderr) = await RunAsync("--config", config);

        Assert.True(exitCode == 2, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.StartsWith($"{config}:14:16 devices[0].tags[0].order: 'CBDA' is not one of", stderr, StringComparison.Ordinal);
        Assert.Contains("1 problem found; nothing was started.", stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, stdout);
    }

    [Fact]
    public async Task Test_UnknownDevice_ExitsTwoListingTheConfiguredOnes()
    {
        (int exitCode, string stdout, string stderr) = await RunAsync("--config", WriteConfig(Devices(withClosed: true)), "--device", "plcc");

        Assert.True(exitCode == 2, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains("has no device 'plcc'; its devices are: plc, ua, sim, dead", stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, stdout);
    }

    private static JsonElement Tag(JsonElement device, string id) =>
        device.GetProperty("tags").EnumerateArray().Single(t => t.GetProperty("id").GetString() == id);

    /// <summary><c>test --no-upstream</c>: these tests are about the devices; the "broker" here only listens (TestCommandUpstreamTests checks upstream).</summary>
    private static Task<(int ExitCode, string StandardOutput, string StandardError)> RunAsync(params string[] arguments) =>
        GatewayProcess.RunToEndAsync(["test", "--no-upstream", .. arguments]);

    private string Devices(bool withClosed, bool withMissingNode = true)
    {
        string modbusPort = _peers.Modbus.Port.ToString(CultureInfo.InvariantCulture);
        string uaPort = _peers.OpcUa.Port.ToString(CultureInfo.InvariantCulture);

        // tests/peers/modbus/layout.md: input 2-3 float32 21.5 (ABCD); holding 144 float32 -1234.5 in CDAB (the k=1
        // block); holding 0 int16 -12345; coil 1 off (n % 3 != 0).
        return $$"""
              - id: plc
                driver: modbus-tcp
                host: 127.0.0.1
                port: {{modbusPort}}
                unit_id: 1
                tags:
                  - { id: supply_temp, address: "input:2", type: float32, order: ABCD, unit: "°C" }
                  - { id: flow, address: "holding:144", type: float32, order: CDAB, scale: 0.1, unit: m3/h }
                  - { id: status, address: "holding:0", type: int16 }
                  - { id: relay, address: "coil:1" }
              - id: ua
                driver: opcua
                endpoint: opc.tcp://127.0.0.1:{{uaPort}}
                publishing_interval: 100ms
                request_timeout: 5s
                tags:
                  - { id: door_open, node: "ns=1;s=Park.Building1.Door1.Open", mode: subscribe, sampling_interval: 50ms }
                  - { id: pi, node: "ns=1;s=Scalars.Double", mode: poll }
            {{(withMissingNode ? "      - { id: missing, node: \"ns=1;s=Scalars.Nope\", mode: poll }\n" : string.Empty)}}  - id: sim
                driver: simulator
                tags:
                  - { id: level, signal: constant, value: 42.5, unit: ppm }
            {{(withClosed ? $"  - id: dead\n    driver: modbus-tcp\n    host: 127.0.0.1\n    port: {_closed.Port.ToString(CultureInfo.InvariantCulture)}\n    unit_id: 1\n    tags:\n      - {{ id: pressure, address: \"holding:0\" }}\n" : string.Empty)}}
            """;
    }

    private string WriteConfig(string devices)
    {
        string mqttPort = ((IPEndPoint)_mqtt.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        string withAlarms = devices.Contains("id: sim", StringComparison.Ordinal)
            ? """
            alarms:
              - id: supply-hot
                tag: plc/supply_temp
                above: 20
                severity: high
                message: "supply at {value} {unit}"
                actions:
                  - { device: plc, tag: relay, value: true, reset_value: false }
              - id: level-low
                tag: sim/level
                below: 10
                severity: warning

            """
            : string.Empty;
        return TestConfigs.Write(_directory, $"""
            gateway:
              id: test-gw
              site: lab
              data_dir: {_dataDir}
            devices:
            {devices}
            {withAlarms}upstream:
              mqtt:
                server: mqtt://127.0.0.1:{mqttPort}
                client_id: test-gw
                topic_prefix: smartcity/lab/test-gw
            """);
    }
}
