using System.Globalization;
using System.Text.RegularExpressions;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>Reads the running gateway's <c>/metrics</c> (endpoint on 127.0.0.1 without token).</summary>
internal static partial class GatewayMetrics
{
    public static async Task<string> ScrapeAsync(HttpClient http, int port) =>
        await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));

    /// <summary>Polls /metrics (a state, not an event: the gateway offers no notification of it) until <paramref name="done"/>.</summary>
    public static async Task<string> WaitForAsync(HttpClient http, int port, Func<string, bool> done)
    {
        DateTime deadline = DateTime.UtcNow + TestTimeouts.Long;
        while (true)
        {
            string? metrics = null;
            try
            {
                metrics = await ScrapeAsync(http, port);
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // Not listening yet.
            }

            if (metrics is not null && done(metrics))
            {
                return metrics;
            }

            Assert.True(DateTime.UtcNow < deadline, $"metrics condition not met; last:\n{metrics}");
            await Task.Delay(100);
        }
    }

    /// <summary>Telemetry records waiting in the buffer (<c>smartcity_edge_buffer_records{kind="telemetry"}</c>).</summary>
    public static long BufferedTelemetry(string metrics) =>
        BufferedTelemetryLine().Match(metrics) is { Success: true } match ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;

    [GeneratedRegex("""smartcity_edge_buffer_records\{kind="telemetry"\} (\d+)""")]
    private static partial Regex BufferedTelemetryLine();
}
