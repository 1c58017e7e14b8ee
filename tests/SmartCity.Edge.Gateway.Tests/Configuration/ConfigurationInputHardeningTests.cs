using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using SmartCity.Edge.Drivers.Configuration;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Hosting;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Configuration;

/// <summary>
/// Hostile configuration input through the loader: parser failures, deep nesting, secret files that are not files,
/// invalid UTF-8 and substituted values in messages. The same probes on the real binary are in
/// <c>Integration/ConfigurationProbeTests</c>.
/// </summary>
public sealed class ConfigurationInputHardeningTests : IDisposable
{
    /// <summary>The documented limit of a <c>${file:}</c> secret (docs/configuration.md).</summary>
    private const int SecretLimit = 64 * 1024;

    private readonly string _directory = Directory.CreateTempSubdirectory("edge-hostile-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static GatewayConfigurationLoader Loader(Dictionary<string, string>? env = null) =>
        new(GatewayHost.CreateDriverFactories(), key => env?.GetValueOrDefault(key));

    [Fact]
    public void Load_50000NestedBrackets_OneProblemAtTheFirstLevelPastTheLimit_NoStackOverflow()
    {
        string yaml = "gateway: { id: g }\nextra: " + new string('[', 50_000) + "\n";

        ConfigurationLoadResult result = Loader().Load(yaml, "c.yaml", _directory);

        Assert.Null(result.Configuration);
        // The root mapping is level 1 and the first '[' (column 8) level 2: the 64th bracket is the first level past 64.
        Assert.Equal(
            [$"c.yaml:2:{7 + ConfigDocument.MaxNesting} lists and mappings are nested more than 64 levels deep here; a gateway configuration needs far fewer (was the file generated or pasted wrongly?)"],
            result.Problems.All.Select(p => p.ToString()));
    }

    [Fact]
    public void Load_NestingAtTheLimit_IsParsed()
    {
        // The root mapping is level 1: 63 brackets reach exactly the limit and are only refused as an unknown key.
        string yaml = "gateway: { id: g }\nupstream: { console: true }\nextra: " + new string('[', ConfigDocument.MaxNesting - 1) + new string(']', ConfigDocument.MaxNesting - 1) + "\n";

        ConfigurationLoadResult result = Loader().Load(yaml, "c.yaml", _directory);

        Assert.Equal(["c.yaml:3:1 extra: unknown key"], result.Problems.All.Select(p => p.ToString()));
    }

    [Fact]
    public async Task LoadFile_SecretFileFifoDirectoryDevicesAndSocket_EachNamedForWhatItIs_WithoutBlocking()
    {
        string fifo = Path.Combine(_directory, "pipe");
        Run("mkfifo", fifo);
        string socketPath = Path.Combine(_directory, "sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        bool root = Environment.UserName == "root";
        string block = Path.Combine(_directory, "disk");
        if (root)
        {
            Run("mknod", block, "b", "7", "0"); // a loop device node; never opened
        }

        string config = Write("gateway.yaml", $$"""
            gateway: { id: g, site: s }
            devices: []
            upstream:
              mqtt:
                server: mqtt://127.0.0.1:1883
                username: ${file:pipe}
                password: ${file:/dev/zero}
                client_id: ${file:{{_directory}}}
                topic_prefix: ${file:sock}
            webhooks:
              - url: https://127.0.0.1/hook
                secret: ${file:/dev/null}
            {{(root ? "    ca_file: ${file:disk}" : string.Empty)}}
            """);

        // A FIFO without a writer would block a plain open forever: the load must come back on its own.
        Task<ConfigurationLoadResult> load = Task.Run(() => Loader().LoadFile(config, "gateway.yaml"));
        ConfigurationLoadResult result = await load.WaitAsync(TestTimeouts.Short);

        string[] problems = result.Problems.Ordered().Select(p => p.ToString()).ToArray();
        Assert.Contains($"gateway.yaml:6:15 upstream.mqtt.username: secret file '{fifo}' is a named pipe (FIFO), not a file: reading it would wait for a writer; name a regular file", problems);
        Assert.Contains("gateway.yaml:7:15 upstream.mqtt.password: secret file '/dev/zero' is a character device (like /dev/zero or a serial port), not a file; name a regular file", problems);
        Assert.Contains($"gateway.yaml:8:16 upstream.mqtt.client_id: secret file '{_directory}' is a directory, not a file", problems);
        Assert.Contains($"gateway.yaml:9:19 upstream.mqtt.topic_prefix: secret file '{socketPath}' is a socket, not a file; name a regular file", problems);
        Assert.Contains("gateway.yaml:12:13 webhooks[0].secret: secret file '/dev/null' is a character device (like /dev/zero or a serial port), not a file; name a regular file", problems);
        if (root)
        {
            Assert.Contains($"gateway.yaml:13:14 webhooks[0].ca_file: secret file '{block}' is a block device (a disk), not a file; name a regular file", problems);
        }
    }

    [Fact]
    public void LoadFile_SecretFileAtTheLimit_IsRead_OneByteMore_IsRefusedNamingTheLimit()
    {
        File.WriteAllText(Path.Combine(_directory, "exact"), new string('a', SecretLimit));
        File.WriteAllText(Path.Combine(_directory, "over"), new string('a', SecretLimit + 1));
        ConfigurationLoadResult exact = Loader().LoadFile(Write("exact.yaml", PasswordFromFile("exact")), "exact.yaml");
        ConfigurationLoadResult over = Loader().LoadFile(Write("over.yaml", PasswordFromFile("over")), "over.yaml");

        Assert.Equal(SecretLimit, exact.Configuration!.Upstream.Mqtt!.Password!.Length);
        Assert.Equal(
            [$"over.yaml:7:15 upstream.mqtt.password: secret file '{_directory}/over' is 65537 bytes; it may hold at most 64 KiB (wrong path?)"],
            over.Problems.All.Select(p => p.ToString()));
    }

    [Fact]
    public void Load_SubstitutedValuesInProblems_ShowTheReferenceNeverTheValue()
    {
        File.WriteAllText(Path.Combine(_directory, "shadow"), "root:$y$j9T$S3cr3tHash:19000:0:99999:7:::\n");
        File.WriteAllText(Path.Combine(_directory, "mqtt-password"), "Pa55-w0rd\n");
        const string Yaml = """
            gateway: { id: g }
            devices:
              - id: d1
                driver: simulator
                poll_interval: ${file:shadow}
                tags:
                  - { id: t, signal: constant, value: 1, unit: "${UNIT_SECRET}" }
              - id: d2
                driver: modbus-tcp
                host: 127.0.0.1
                port: ${PORT_SECRET}
                unit_id: 1
                tags:
                  - { id: r, address: "holding:0", type: "${TYPE_SECRET}" }
            alarms:
              - id: a1
                tag: d1/t
                above: 1
                severity: ${SEVERITY_SECRET}
                message: m
            upstream:
              mqtt:
                server: "mqtt://gw:${file:mqtt-password}@broker.example:99999"
            """;
        var env = new Dictionary<string, string>
        {
            ["PORT_SECRET"] = "70000",
            ["TYPE_SECRET"] = "uint16-Tr0ub4dor",
            ["SEVERITY_SECRET"] = "critcal",
            ["UNIT_SECRET"] = "not-a-unit-Tr0ub4dor",
        };

        ConfigurationLoadResult result = Loader(env).Load(Yaml, "c.yaml", _directory);

        string[] problems = result.Problems.Ordered().Select(p => p.ToString()).ToArray();
        Assert.Equal(
            [
                "c.yaml:5:20 devices[0].poll_interval: the value from ${file:shadow} is not a duration (write a number and a unit: 500ms, 2s, 5m, 1h)",
                "c.yaml:11:11 devices[1].port: the value from ${PORT_SECRET} is out of range (1 to 65535)",
                "c.yaml:14:46 devices[1].tags[0].type: the value from ${TYPE_SECRET} is not a type (bool | int16 | uint16 | int32 | uint32 | int64 | uint64 | float32 | float64 | string(N))",
                "c.yaml:19:15 alarms[0].severity: the value from ${SEVERITY_SECRET} is not one of info | warning | high | critical",
                "c.yaml:23:13 upstream.mqtt.server: 'mqtt://gw:${file:mqtt-password}@broker.example:99999' is not a broker address (write mqtt://host:1883 or mqtts://host:8883)",
            ],
            problems.Where(p => !p.Contains("tags[0].unit:", StringComparison.Ordinal)));
        string all = string.Join('\n', problems);
        foreach (string secret in (string[])["S3cr3tHash", "root:", "Pa55-w0rd", "70000", "Tr0ub4dor", "critcal"])
        {
            Assert.DoesNotContain(secret, all, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Load_SubstitutedValueThatIsAlsoAWordOfTheMessage_OnlyTheStandaloneWordIsReplaced()
    {
        var problems = new ConfigProblems();
        problems.RecordSubstitution("${N}", "1", [("${N}", "1")]);

        problems.Add(new ConfigLocation("c.yaml", 1, 1), "k", "1 is out of range (10 to 100)");

        Assert.Equal("c.yaml:1:1 k: the value from ${N} is out of range (10 to 100)", problems.All[0].ToString());
    }

    [Fact]
    public void LoadFile_InvalidUtf8_ProblemAtItsLineAndColumnWithTheByteOffset()
    {
        string path = Path.Combine(_directory, "gateway.yaml");
        byte[] head = Encoding.UTF8.GetBytes("gateway:\n  id: g\n  site: \"zürich");
        File.WriteAllBytes(path, [.. head, 0xFF, .. "\"\n"u8]);

        ConfigurationLoadResult result = Loader().LoadFile(path, "gateway.yaml");

        Assert.Equal(
            [$"gateway.yaml:3:16 the file is not valid UTF-8: invalid byte at line 3, column 16 (byte offset {head.Length}); save it as UTF-8"],
            result.Problems.All.Select(p => p.ToString()));
    }

    [Fact]
    public void LoadFile_Utf16File_SaysToSaveItAsUtf8()
    {
        string path = Path.Combine(_directory, "gateway.yaml");
        File.WriteAllText(path, "gateway:\n  id: g\n", new UnicodeEncoding(bigEndian: false, byteOrderMark: true));

        ConfigurationLoadResult result = Loader().LoadFile(path, "gateway.yaml");

        Assert.Equal(["gateway.yaml:1:1 the file is UTF-16 text (saved as \"Unicode\"); save it as UTF-8"], result.Problems.All.Select(p => p.ToString()));
    }

    [Fact]
    public void LoadFile_SecretFileWithInvalidUtf8_RefusedWithItsPosition_NoReplacementCharacterLoaded()
    {
        File.WriteAllBytes(Path.Combine(_directory, "password"), [(byte)'a', (byte)'b', 0xC3, 0x28, (byte)'\n']);
        string config = Write("gateway.yaml", PasswordFromFile("password"));

        ConfigurationLoadResult result = Loader().LoadFile(config, "gateway.yaml");

        Assert.Equal(
            [$"gateway.yaml:7:15 upstream.mqtt.password: secret file '{_directory}/password' is not valid UTF-8: invalid byte at line 1, column 3 (byte offset 2); save it as UTF-8"],
            result.Problems.All.Select(p => p.ToString()));
    }

    [Theory]
    [InlineData("north/park", "north/park")]
    [InlineData("park+1", "park+1")]
    [InlineData("park#", "park#")]
    [InlineData("park\\0x", "park\\u0000x")]
    [InlineData("Park North", "Park North")]
    public void Load_SiteThatIsNotAnId_RefusedLikeAnId(string site, string shown)
    {
        string yaml = $"gateway: {{ id: g, site: \"{site}\" }}\nupstream: {{ console: true }}\n";

        ConfigurationLoadResult result = Loader().Load(yaml, "c.yaml", _directory);

        Assert.Equal(
            [$"c.yaml:1:25 gateway.site: '{shown}' is not a valid site (use lower-case letters, digits, '-' and '_'; it appears in MQTT topics)"],
            result.Problems.All.Select(p => p.ToString()));
    }

    /// <summary>A configuration whose MQTT password is <c>${file:<paramref name="file"/>}</c> (line 7, column 15).</summary>
    private static string PasswordFromFile(string file) =>
        $$"""
        gateway: { id: g }
        devices: []
        upstream:
          mqtt:
            server: mqtt://127.0.0.1:1883
            username: edge
            password: ${file:{{file}}}
        """;

    private string Write(string name, string yaml)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    private static void Run(string program, params string[] arguments)
    {
        using Process process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true })!;
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program}: {process.StandardError.ReadToEnd()}");
    }
}
