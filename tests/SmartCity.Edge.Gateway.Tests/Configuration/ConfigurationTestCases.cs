using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Hosting;

namespace SmartCity.Edge.Gateway.Tests.Configuration;

/// <summary>
/// Configuration cases as data (Telegraf testcases style): each folder under testcases/ holds config.yaml, an
/// optional env.txt (KEY=VALUE lines: the only environment the case sees) and expected.txt: either "OK" or the
/// exact problems, one per line, in file order.
/// </summary>
public sealed class ConfigurationTestCases
{
    private static readonly string s_root = Path.Combine(AppContext.BaseDirectory, "Configuration", "testcases");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (string dir in Directory.GetDirectories(s_root).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(dir));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Load_TestCase_ReportsExactlyTheExpectedProblems(string name)
    {
        string dir = Path.Combine(s_root, name);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        string envFile = Path.Combine(dir, "env.txt");
        if (File.Exists(envFile))
        {
            foreach (string line in File.ReadAllLines(envFile).Where(l => l.Contains('=')))
            {
                environment[line[..line.IndexOf('=')]] = line[(line.IndexOf('=') + 1)..];
            }
        }

        var loader = new GatewayConfigurationLoader(GatewayHost.CreateDriverFactories(), key => environment.GetValueOrDefault(key));
        ConfigurationLoadResult result = loader.Load(File.ReadAllText(Path.Combine(dir, "config.yaml")), "config.yaml", dir);

        string[] expected = File.ReadAllLines(Path.Combine(dir, "expected.txt")).Where(l => l.Length > 0).ToArray();
        string[] actual = result.Configuration is null
            ? result.Problems.Ordered().Select(p => p.ToString()).ToArray()
            : ["OK"];
        Assert.Equal(expected, actual);
    }
}
