using System.Text.RegularExpressions;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>Configuration files written for one test run into a temp folder.</summary>
internal static partial class TestConfigs
{
    /// <summary>Devices whose single tag counts up by one per poll, so every reading differs (no deadband suppression) and gaps in values show.</summary>
    public static string CounterPark(string dataDir, int brokerPort, int devices, string pollInterval) =>
        $"""
        gateway:
          id: test-gw
          site: lab
          data_dir: {dataDir}
        devices:
        {string.Concat(Enumerable.Range(1, devices).Select(i => CounterDevice($"counter-{i}", pollInterval)))}
        upstream:
          mqtt:
            server: mqtt://127.0.0.1:{brokerPort}
            client_id: test-gw
            topic_prefix: smartcity/lab/test-gw
            qos: 1
        """;

    /// <summary>
    /// One simulator device, as an item of <c>devices:</c> (ending with a line break), whose tag <c>count</c> counts up
    /// by one per poll.
    /// </summary>
    public static string CounterDevice(string id, string pollInterval) =>
        $"""
          - id: {id}
            driver: simulator
            poll_interval: {pollInterval}
            tags:
              - id: count
                signal: counter
                min: 0
                max: 1000000000

        """;

    /// <summary>
    /// Writes <c>gateway.yaml</c>. A configuration without an <c>http:</c> section gets <c>http: { enabled: false }</c>:
    /// the default listener (127.0.0.1:8080) would make gateways of tests running in parallel fight over one port.
    /// Tests of the endpoint write their own section with a free port.
    /// </summary>
    public static string Write(string directory, string yaml)
    {
        string path = Path.Combine(directory, "gateway.yaml");
        if (!HttpSection().IsMatch(yaml))
        {
            yaml = yaml.TrimEnd() + "\nhttp:\n  enabled: false\n";
        }

        File.WriteAllText(path, yaml);
        return path;
    }

    [GeneratedRegex(@"^http:", RegexOptions.Multiline)]
    private static partial Regex HttpSection();
}
