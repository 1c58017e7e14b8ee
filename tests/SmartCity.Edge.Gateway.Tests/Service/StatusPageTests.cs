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
        int port = FreePort.Next();
        string demo = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "config", "demo.yaml"));
        string yaml = Regex.Replace(demo, @"(?ms)^http:.*?(?=^\S|\z)", string.Empty)
            .Replace("data_dir: ./data/demo", $"data_dir: {_directory}/data", StringComparison.Ordinal)
            .Replace("alarms:\n", "alarms:\n  - id: panel-fault-clear\n    tag: fire-panel-1/fault\n    equals: 0\n    severity: info\n    message: Fire panel reports no fault\n", StringComparison.Ordinal)
            + $"\nhttp:\n  listen: 127.0.0.1:{port}\n";
        string config = TestConfigs.Write(_directory, yaml);
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);

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
        if (Environment.GetEnvironmentVariable("EDGE_STATUS_SCREENSHOT") is { Length: > 0 } target)
        {
            File.Copy(png, target, overwrite: true);
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
