using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Cli;

/// <summary>
/// The technician's <c>smartcity-edge snmp get|walk</c>, run as the real binary against Debian's snmpd and compared
/// line for line with what net-snmp's snmpget/snmpwalk print in the same run.
/// </summary>
public sealed class SnmpCommandTests : IAsyncLifetime
{
    private SnmpdAgent _snmpd = null!;

    private string Agent => $"127.0.0.1:{_snmpd.Port}";

    public async Task InitializeAsync() => _snmpd = await SnmpdAgent.StartAsync();

    public async Task DisposeAsync() => await _snmpd.DisposeAsync();

    [Fact]
    public async Task Get_V2c_PrintsWhatSnmpgetPrints()
    {
        string[] oids = ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.99.0"];
        var (_, expected, _) = await SnmpTool.RunAsync("snmpget", _snmpd.Directory, ["-v2c", "-c", "public", "-On", Agent, .. oids]);
        (int exitCode, string stdout, string stderr) = await GatewayProcess.RunToEndAsync(["snmp", "get", Agent, .. oids, "--community", "public"]);
        Assert.True(exitCode == 0, stderr);
        Assert.Equal(expected.Trim(), stdout.Trim());
    }

    [Fact]
    public async Task Walk_V3AuthPriv_PrintsWhatSnmpwalkPrints()
    {
        string auth = Path.Combine(_snmpd.Directory, "auth");
        string priv = Path.Combine(_snmpd.Directory, "priv");
        await File.WriteAllTextAsync(auth, "authpass123\n");
        await File.WriteAllTextAsync(priv, "privpass123\n");
        var (_, expected, _) = await SnmpTool.RunAsync("snmpbulkwalk", _snmpd.Directory, "-v3", "-u", "usha", "-l", "authPriv", "-a", "SHA", "-A", "authpass123", "-x", "AES", "-X", "privpass123", "-On", Agent, "1.3.6.1.2.1.2.2.1.2");
        (int exitCode, string stdout, string stderr) = await GatewayProcess.RunToEndAsync(
            "snmp", "walk", Agent, "1.3.6.1.2.1.2.2.1.2", "--version", "3", "--user", "usha", "--auth-protocol", "sha", "--auth-password-file", auth, "--priv-protocol", "aes", "--priv-password-file", priv);
        Assert.True(exitCode == 0, stderr);
        Assert.Equal(expected.Trim(), stdout.Trim());
    }

    [Theory]
    [InlineData("--community wrong --timeout 200ms --retries 0", "wrong community or host")]
    [InlineData("--version 3 --user nobody --auth-protocol sha --auth-password-env SNMP_TEST_AUTH", "unknown user 'nobody'")]
    [InlineData("--version 3 --user usha --auth-protocol sha --auth-password-env SNMP_TEST_WRONG --priv-password-env SNMP_TEST_PRIV", "authentication failed for user 'usha'")]
    public async Task Get_BadCredentials_ClearErrorExitOne(string options, string message)
    {
        var environment = new Dictionary<string, string> { ["SNMP_TEST_AUTH"] = "authpass123", ["SNMP_TEST_WRONG"] = "wrongpass123", ["SNMP_TEST_PRIV"] = "privpass123" };
        (int exitCode, string _, string stderr) = await GatewayProcess.RunToEndAsync(environment, ["snmp", "get", Agent, "1.3.6.1.2.1.1.1.0", .. options.Split(' ')]);
        Assert.Equal(1, exitCode);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("pass123", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_ConfigDevice_UsesTheDevicesCredentials()
    {
        await File.WriteAllTextAsync(Path.Combine(_snmpd.Directory, "auth"), "authpass123");
        await File.WriteAllTextAsync(Path.Combine(_snmpd.Directory, "priv"), "privpass123");
        string config = TestConfigs.Write(_snmpd.Directory, $$"""
            gateway: { id: snmp-cli, data_dir: {{_snmpd.Directory}}/data }
            devices:
              - id: ups-3
                driver: snmp
                host: 127.0.0.1
                port: {{_snmpd.Port}}
                version: 3
                user: usha
                auth: { protocol: sha, password: "${file:{{_snmpd.Directory}}/auth}" }
                priv: { protocol: aes, password: "${file:{{_snmpd.Directory}}/priv}" }
                tags:
                  - { id: descr, oid: 1.3.6.1.2.1.1.1.0 }
            upstream: { console: true }
            """);
        (int exitCode, string stdout, string stderr) = await GatewayProcess.RunToEndAsync("snmp", "get", "--config", config, "--device", "ups-3", "1.3.6.1.2.1.1.1.0");
        Assert.True(exitCode == 0, stderr);
        Assert.Equal(".1.3.6.1.2.1.1.1.0 = STRING: \"TestAgent for gateway\"", stdout.Trim());
    }
}
