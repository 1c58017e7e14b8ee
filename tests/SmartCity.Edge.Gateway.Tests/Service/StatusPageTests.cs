using System.Text.Json;
using System.Text.RegularExpressions;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Service;

/// <summary>The technicians' status page of the demo park, rendered by a real browser engine (headless Chromium).</summary>
public sealed partial class StatusPageTests : IDisposable
{
    private static readonly string[] s_demoDevices = ["fire-panel-1", "gas-detector-2", "door-contacts", "ups-1"];
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-page-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task StatusPage_OfTheDemoPark_ShowsDevicesLiveValuesAndAnActiveAlarm_InChromium()
    {
        string demo = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "config", "demo.yaml"));
        string yaml = Regex.Replace(demo, @"(?ms)^http:.*?(?=^\S|\z)", string.Empty)
            .Replace("data_dir: ./data/demo", $"data_dir: {_directory}/data", StringComparison.Ordinal)
            .Replace("alarms:\n", "alarms:\n  - id: panel-fault-clear\n    tag: fire-panel-1/fault\n    equals: 0\n    severity: info\n    message: Fire panel reports no fault\n", StringComparison.Ordinal)
            + "\nhttp:\n  listen: 127.0.0.1:0\n";
        string config = TestConfigs.Write(_directory, yaml);
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        int port = await gateway.WaitForHttpPortAsync();

        // Wait until every demo device has delivered a value, so the page has something to show.
        using var http = new HttpClient();
        await WaitUntilAsync(async () =>
        {
            try
            {
                JsonElement status = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/api/status")).RootElement;
                return status.GetProperty("devices").EnumerateArray().All(d => d.GetProperty("tags").EnumerateArray().All(t => t.GetProperty("quality").GetString() == "good"))
                    && status.GetProperty("alarms").GetArrayLength() > 0;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, gateway);

        string dom = await HeadlessChromium.DumpDomAsync($"http://127.0.0.1:{port}/", Path.Combine(_directory, "profile"));

        foreach (string device in s_demoDevices)
        {
            Assert.Matches($"<article class=\"device\" data-device=\"{device}\"><h2>{device}<span class=\"badge state online\">online</span>", dom);
        }

        // Live values: a number with the unit in the value cell, quality good.
        Assert.Matches(@"<tr class=""q-good"" data-tag=""fire-panel-1/smoke_zone1""><td class=""tag"">smoke_zone1</td><td class=""value"">-?\d+(\.\d+)? %obs/m</td>", dom);
        Assert.Matches(@"<tr class=""q-good"" data-tag=""gas-detector-2/ch4_lel""><td class=""tag"">ch4_lel</td><td class=""value"">-?\d+(\.\d+)? %LEL</td>", dom);
        Assert.Matches(@"data-tag=""door-contacts/gate_north_open""><td class=""tag"">gate_north_open</td><td class=""value"">(true|false)</td>", dom);
        Assert.Matches(@"<li class=""alarm sev-info"" data-alarm=""panel-fault-clear"">.*Fire panel reports no fault", dom);
        // The page rendered the embedded snapshot and then at least one live refresh fetched from /api/status.
        Assert.Matches(@"<body data-renders=""([2-9]|\d\d+)"">", dom);
        Assert.Contains("<span class=\"badge ready\" id=\"ready\">ready</span>", dom, StringComparison.Ordinal);

        // A phone-sized screenshot; EDGE_STATUS_SCREENSHOT copies it to the docs (how docs/status-page.png was made).
        string png = Path.Combine(_directory, "status-page.png");
        await HeadlessChromium.ScreenshotAsync($"http://127.0.0.1:{port}/", Path.Combine(_directory, "profile"), png, 412, 1000);
        byte[] bytes = await File.ReadAllBytesAsync(png);
        Assert.True(bytes.Length > 10_000 && bytes.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), "a PNG screenshot");
    }

    [Fact]
    public async Task StatusPage_UpstreamDownAndAnAcknowledgedAlarm_HeaderShowsDegradedAndAlarmShowsActivationAndAck_InChromium()
    {
        // The demo park with a real broker and signed commands, one alarm active from the first poll.
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        var tokens = new CommandTokens(Path.Combine(_directory, "keys"));
        string demo = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "config", "demo.yaml"));
        string yaml = Regex.Replace(demo, @"(?ms)^http:.*?(?=^\S|\z)", string.Empty)
            .Replace("data_dir: ./data/demo", $"data_dir: {_directory}/data", StringComparison.Ordinal)
            .Replace("upstream:\n  console: true", $"upstream:\n  mqtt:\n    server: mqtt://127.0.0.1:{broker.Port}\n    topic_prefix: smartcity/demo/demo-park-01", StringComparison.Ordinal)
            .Replace("alarms:\n", "alarms:\n  - id: panel-fault-clear\n    tag: fire-panel-1/fault\n    equals: 0\n    severity: high\n    message: Fire panel reports no fault\n", StringComparison.Ordinal)
            + "\n" + tokens.Section() + "\nhttp:\n  listen: 127.0.0.1:0\n";
        string config = TestConfigs.Write(_directory, yaml);
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        int port = await gateway.WaitForHttpPortAsync();
        using var http = new HttpClient();
        JsonElement status = await WaitForStatusAsync(http, port, gateway, s => Alarm(s, "panel-fault-clear") is { } a && a.TryGetProperty("occurrence", out _));
        long occurrence = Alarm(status, "panel-fault-clear")!.Value.GetProperty("occurrence").GetInt64();

        // Acknowledged by "alice" with a token from the technicians' CLI, then the broker goes away.
        string token = await tokens.CliAsync("panel-fault-clear", occurrence, "alice");
        await using (MqttTestSubscriber desk = await MqttTestSubscriber.ConnectAsync(broker.Port, "smartcity/demo/demo-park-01/commands/result"))
        {
            await desk.PublishAsync("smartcity/demo/demo-park-01/commands/ack", token);
            await desk.CollectUntilAsync(r => r.Count > 0, TestTimeouts.Long);
        }

        await broker.StopAsync();
        status = await WaitForStatusAsync(http, port, gateway, s => s.GetProperty("state").GetString() == "degraded"
            && Alarm(s, "panel-fault-clear")?.GetProperty("state").GetString() == "acknowledged"
            && s.GetProperty("devices").EnumerateArray().All(d => d.GetProperty("state").GetString() == "online"));
        Assert.False(status.GetProperty("ready").GetBoolean());
        Assert.Equal("degraded: upstream down, buffering", status.GetProperty("summary").GetString());
        JsonElement alarm = Alarm(status, "panel-fault-clear")!.Value;
        string activeSince = alarm.GetProperty("active_since").GetString()!;
        string ackAt = alarm.GetProperty("ack").GetProperty("at").GetString()!;
        Assert.Equal("alice", alarm.GetProperty("ack").GetProperty("by").GetString());
        Assert.True(string.CompareOrdinal(activeSince, ackAt) < 0, $"activated {activeSince} before the ack at {ackAt}");

        // /readyz says the same as the header: 503, worst state first, then each problem.
        using HttpResponseMessage readyz = await http.GetAsync($"http://127.0.0.1:{port}/readyz");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, readyz.StatusCode);
        Assert.StartsWith("degraded: upstream down, buffering\n- upstream down (mqtt 127.0.0.1:", await readyz.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        string dom = await HeadlessChromium.DumpDomAsync($"http://127.0.0.1:{port}/", Path.Combine(_directory, "profile"));
        Assert.Matches(@"<span class=""badge degraded"" id=""ready"" title=""upstream down \(mqtt 127\.0\.0\.1:\d+\): buffering on disk[^""]*"">degraded: upstream down, buffering</span>", dom);
        Assert.Contains("<span class=\"badge offline\" id=\"upstream\">upstream down, buffering</span>", dom, StringComparison.Ordinal);
        Assert.Matches(
            Regex.Escape("fire-panel-1/fault = 0 · active since ") + Clock(activeSince) + Regex.Escape(" · acknowledged by alice at ") + Clock(ackAt) + Regex.Escape($" · occurrence {occurrence}"),
            dom);
        Assert.DoesNotContain(">ready<", dom, StringComparison.Ordinal);

        // A phone-sized screenshot; EDGE_STATUS_SCREENSHOT copies it to the docs (how docs/status-page.png was made).
        string png = Path.Combine(_directory, "status-page.png");
        await HeadlessChromium.ScreenshotAsync($"http://127.0.0.1:{port}/", Path.Combine(_directory, "profile"), png, 412, 1100);
        Assert.True(new FileInfo(png).Length > 10_000, "a screenshot");
        if (Environment.GetEnvironmentVariable("EDGE_STATUS_SCREENSHOT") is { Length: > 0 } target)
        {
            File.Copy(png, target, overwrite: true);
        }
    }

    /// <summary>How the page shows a time: "14:02:11 UTC", with the date before it when that is not today's (past midnight UTC).</summary>
    private static string Clock(string timestamp) => $"({Regex.Escape(timestamp[..10])} )?{Regex.Escape(timestamp.Substring(11, 8))} UTC";

    private static JsonElement? Alarm(JsonElement status, string id) =>
        status.GetProperty("alarms").EnumerateArray().Where(a => a.GetProperty("id").GetString() == id).Select(a => (JsonElement?)a).FirstOrDefault();

    private static async Task<JsonElement> WaitForStatusAsync(HttpClient http, int port, GatewayProcess gateway, Func<JsonElement, bool> condition)
    {
        DateTime deadline = DateTime.UtcNow + TestTimeouts.Long;
        while (true)
        {
            try
            {
                JsonElement status = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/api/status")).RootElement;
                if (condition(status))
                {
                    return status;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            Assert.True(DateTime.UtcNow < deadline && !gateway.HasExited, "the status never reached the expected state:\n" + gateway.Log);
            await Task.Delay(100);
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, GatewayProcess gateway)
    {
        DateTime deadline = DateTime.UtcNow + TestTimeouts.Long;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline && !gateway.HasExited, "the status never showed every device with a value and an active alarm:\n" + gateway.Log);
            await Task.Delay(100);
        }
    }
}
