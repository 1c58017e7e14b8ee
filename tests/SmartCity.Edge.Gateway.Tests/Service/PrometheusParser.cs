using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace SmartCity.Edge.Gateway.Tests.Service;

/// <summary>
/// Parses Prometheus text with the reference Python client's parser (<c>prometheus_client.parser</c>, Debian
/// <c>python3-prometheus-client</c>): an independent implementation of the format decides whether ours is valid.
/// </summary>
internal static class PrometheusParser
{
    private const string Script = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        out = []
        for family in text_string_to_metric_families(sys.stdin.read()):
            for s in family.samples:
                out.append({"family": family.name, "type": family.type, "name": s.name, "labels": s.labels, "value": s.value})
        json.dump(out, sys.stdout)
        """;

    public static async Task<IReadOnlyList<MetricSample>> ParseAsync(string exposition)
    {
        var info = new ProcessStartInfo("/usr/bin/python3", ["-c", Script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process process = Process.Start(info) ?? throw new InvalidOperationException("python3 did not start");
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.ProcessExit);
        if (process.ExitCode != 0)
        {
            throw new FormatException($"prometheus_client rejected the exposition: {await stderr}\n{exposition}");
        }

        var samples = new List<MetricSample>();
        foreach (JsonElement sample in JsonDocument.Parse(await stdout).RootElement.EnumerateArray())
        {
            var labels = sample.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
            samples.Add(new MetricSample(sample.GetProperty("family").GetString()!, sample.GetProperty("type").GetString()!, sample.GetProperty("name").GetString()!, labels, sample.GetProperty("value").GetDouble()));
        }

        return samples;
    }
}

internal sealed record MetricSample(string Family, string Type, string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public override string ToString() => $"{Name}{{{string.Join(',', Labels.Select(l => $"{l.Key}={l.Value}"))}}} {Value.ToString(CultureInfo.InvariantCulture)}";
}
