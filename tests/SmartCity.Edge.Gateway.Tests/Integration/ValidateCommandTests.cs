namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>The technician's <c>validate</c> command, run as the real binary.</summary>
public sealed class ValidateCommandTests
{
    private static readonly string s_cases = Path.Combine(AppContext.BaseDirectory, "Configuration", "testcases");

    [Fact]
    public async Task Validate_FileWithFiveProblems_PrintsEachWithLineAndColumnAndExitsNonZero()
    {
        string config = Path.Combine(s_cases, "five-problems", "config.yaml");
        string[] expected = File.ReadAllLines(Path.Combine(s_cases, "five-problems", "expected.txt"))
            .Where(l => l.Length > 0)
            .Select(l => config + l["config.yaml".Length..])
            .ToArray();

        (int exitCode, _, string stderr) = await GatewayProcess.RunToEndAsync("validate", "--config", config);

        Assert.Equal(1, exitCode);
        string[] lines = stderr.Split('\n');
        Assert.Equal(expected, lines.Take(expected.Length));
        Assert.Equal("5 problems found; nothing was started.", lines[expected.Length]);
    }

    [Fact]
    public async Task Validate_ValidFile_ExitsZeroWithSummaryOfCountsAndTopics()
    {
        string config = Path.Combine(AppContext.BaseDirectory, "config", "demo.yaml");

        (int exitCode, string stdout, _) = await GatewayProcess.RunToEndAsync("validate", "--config", config);

        Assert.Equal(0, exitCode);
        Assert.Equal(
            [
                $"{config}: OK — gateway demo-park-01, 4 devices, 9 tags, 4 alarm rules, upstream console only",
                "  topic prefix smartcity/demo/demo-park-01 (telemetry/DEVICE, alarms, alarms/state/ALARM, status)",
                "  command topics: none (no upstream.mqtt)",
            ],
            stdout.Trim().Split('\n'));
    }

    [Fact]
    public async Task Validate_OneAlarmRuleAndMqtt_SingularCountAndCommandTopics()
    {
        string directory = Directory.CreateTempSubdirectory("edge-validate-").FullName;
        try
        {
            string config = TestConfigs.Write(directory, TestConfigs.CounterPark(Path.Combine(directory, "data"), 1883, devices: 1, "1s") + """

                alarms:
                  - id: count-high
                    tag: counter-1/count
                    above: 100
                """);

            (int exitCode, string stdout, _) = await GatewayProcess.RunToEndAsync("validate", "--config", config);

            Assert.Equal(0, exitCode);
            string[] lines = stdout.Trim().Split('\n');
            Assert.StartsWith($"{config}: OK — gateway test-gw, 1 device, 1 tag, 1 alarm rule, upstream mqtt://127.0.0.1:1883 client_id=test-gw", lines[0], StringComparison.Ordinal);
            Assert.Equal("  topic prefix smartcity/lab/test-gw (telemetry/DEVICE, alarms, alarms/state/ALARM, status)", lines[1]);
            Assert.Equal("  command topics smartcity/lab/test-gw/commands/ack, smartcity/lab/test-gw/commands/write (answers on smartcity/lab/test-gw/commands/result)", lines[2]);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Validate_OpcUaPasswordOverPolicyNone_RefusedAtItsLineUnlessAllowed()
    {
        string config = Path.Combine(s_cases, "opcua-password-over-none", "config.yaml");

        (int exitCode, _, string stderr) = await GatewayProcess.RunToEndAsync("validate", "--config", config);

        Assert.Equal(1, exitCode);
        string[] lines = stderr.Split('\n');
        Assert.StartsWith($"{config}:8:45 devices[0].auth.password: a user name and password over security policy None are refused", lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"{config}:16:17 devices[1].auth.username: a user name and password over security policy None are refused", lines[1], StringComparison.Ordinal);
        Assert.Contains("auth.allow_insecure_password: true", lines[0], StringComparison.Ordinal);
        Assert.Equal("2 problems found; nothing was started.", lines[2]);
        Assert.DoesNotContain("plain-secret", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_InvalidFile_RefusesToStartAndListsProblems()
    {
        string config = Path.Combine(s_cases, "bad-alarm-tag", "config.yaml");

        (int exitCode, _, string stderr) = await GatewayProcess.RunToEndAsync("run", "--config", config);

        Assert.Equal(1, exitCode);
        Assert.Contains("alarms[0].severity: 'critcal' is not one of", stderr, StringComparison.Ordinal);
    }
}
