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
    public async Task Validate_ValidFile_ExitsZeroWithOneLineSummary()
    {
        string config = Path.Combine(AppContext.BaseDirectory, "config", "demo.yaml");

        (int exitCode, string stdout, _) = await GatewayProcess.RunToEndAsync("validate", "--config", config);

        Assert.Equal(0, exitCode);
        Assert.Equal($"{config}: OK — gateway demo-park-01, 4 devices, 9 tags, 4 alarms, upstream console only", stdout.Trim());
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
