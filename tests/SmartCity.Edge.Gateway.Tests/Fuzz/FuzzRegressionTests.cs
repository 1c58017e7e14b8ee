using SmartCity.Edge.Drivers.Configuration;
using SmartCity.Edge.Fuzz;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Hosting;

namespace SmartCity.Edge.Gateway.Tests.Fuzz;

/// <summary>
/// Crashes the coverage-guided fuzzer found (tests/fuzz/run.sh), each kept as the minimized bytes that crashed: the
/// fuzz target must now pass, and the behaviour a user sees is checked too.
/// </summary>
public sealed class FuzzRegressionTests
{
    public static TheoryData<string, byte[]> ConfigCrashes => new()
    {
        // YamlDotNet 18.1's scanner threw InvalidOperationException: `smartcity-edge validate` aborted (exit 134).
        { "scanner-state", [0x3A, 0x0A, 0x7B, 0x0A, 0x01] },
        // YamlDotNet 18.1's node loader threw ArgumentException ("The current event is of an unsupported type").
        { "unsupported-event", [0x00, 0x3A, 0x20, 0xFF] },
    };

    [Fact]
    public void ConfigLoader_MappingAsAKey_IsAProblemNotACrash()
    {
        // Found by fuzzing: a complex key ("? id: …") made ReportUnknownKeys throw InvalidCastException.
        byte[] bytes = "gateway:\n? id: hd-park-01\n: x\ndevices: []\n"u8.ToArray();
        FuzzTargets.Run(FuzzTargets.Config, bytes);

        var loader = new GatewayConfigurationLoader(GatewayHost.CreateDriverFactories(), _ => null);
        ConfigurationLoadResult result = loader.Load(System.Text.Encoding.UTF8.GetString(bytes), "gateway.yaml", Path.GetTempPath());
        Assert.Null(result.Configuration);
        Assert.Contains(result.Problems.All, p => p.Message.StartsWith("a key must be a plain name, not a mapping", StringComparison.Ordinal) && p.Location.Line == 2);
    }

    [Theory]
    [MemberData(nameof(ConfigCrashes))]
    public void ConfigLoader_YamlThatCrashedTheParser_IsASyntaxProblemWithAPosition(string name, byte[] bytes)
    {
        FuzzTargets.Run(FuzzTargets.Config, bytes);

        var loader = new GatewayConfigurationLoader(GatewayHost.CreateDriverFactories(), _ => null);
        ConfigurationLoadResult result = loader.Load(System.Text.Encoding.UTF8.GetString(bytes), "gateway.yaml", Path.GetTempPath());
        Assert.Null(result.Configuration);
        ConfigProblem problem = Assert.Single(result.Problems.All);
        Assert.StartsWith("YAML syntax error", problem.Message, StringComparison.Ordinal);
        Assert.Equal("gateway.yaml", problem.Location.File);
        Assert.True(problem.Location.Line >= 1, name);
    }
}
