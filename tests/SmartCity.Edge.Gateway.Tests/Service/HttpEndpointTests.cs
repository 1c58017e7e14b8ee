using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Service;

/// <summary>The HTTP endpoint of the running binary against a real mosquitto: metrics agree with what the broker delivered.</summary>
public sealed class HttpEndpointTests : IAsyncLifetime
{
    private const string Prefix = "smartcity/lab/metrics-gw";
    private const string Token = "test-token-0123456789abcdef";
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-http-").FullName;
    private readonly HttpClient _http = new() { Timeout = TestTimeouts.Short };
    private MosquittoBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _broker.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Metrics_AfterConstantDevicesPublished_ParseAsPrometheusText_AndCountersMatchTheBroker()
    {
        // Constant tags: report-by-exception lets exactly the first reading of each tag through, so the number
        // published is known (6 readings) and stops growing; plus one alarm that is active from the first poll.
        string config = TestConfigs.Write(_directory, $"""
            gateway:
              id: metrics-gw
              site: lab
              data_dir: {_directory}/data
            devices:
            {string.Concat(Enumerable.Range(1, 3).Select(i => $"""
              - id: panel-{i}
                driver: simulator
                poll_interval: 50ms
                tags:
                  - id: fault
                    signal: constant
                    value: 0
                  - id: level
                    signal: constant
                    value: {i}.5

            """))}
            alarms:
              - id: panel-2-level
                tag: panel-2/level
                above: 2
                severity: high
                message: panel 2 level above 2
            upstream:
              mqtt:
                server: mqtt://127.0.0.1:{_broker.Port}
                topic_prefix: {Prefix}
            http:
              listen: 127.0.0.1:0
              token: {Token}
            """);
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(_broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        int port = await gateway.WaitForHttpPortAsync();

        // Everything this park ever publishes: the 6 first readings, the alarm's transition and its retained state
        // message (published right after the transition; stopping at the transition alone raced it).
        List<ReceivedMessage> received = await subscriber.CollectUntilAsync(
            m => m.Where(x => x.Topic.Contains("/telemetry/", StringComparison.Ordinal)).Sum(x => x.Json.GetProperty("readings").GetArrayLength()) == 6
                && m.Any(x => x.Topic == $"{Prefix}/alarms")
                && m.Any(x => x.Topic == $"{Prefix}/alarms/state/panel-2-level"),
            TestTimeouts.Long);
        ReceivedMessage[] upstream = received.Where(m => m.Topic != $"{Prefix}/status").ToArray();
        int readings = upstream.Where(m => m.Topic.Contains("/telemetry/", StringComparison.Ordinal)).Sum(m => m.Json.GetProperty("readings").GetArrayLength());
        int alarms = upstream.Count(m => m.Topic == $"{Prefix}/alarms");

        // The forwarder counts after PUBACK, a moment after the subscriber may have the message: scrape until every
        // counter compared below has caught up (the assertions then show any that never did).
        IReadOnlyList<MetricSample> metrics = [];
        DateTime deadline = DateTime.UtcNow + TestTimeouts.Short;
        while (true)
        {
            metrics = await PrometheusParser.ParseAsync(await GetAsync($"http://127.0.0.1:{port}/metrics", HttpStatusCode.OK, "text/plain; version=0.0.4"));
            bool caughtUp = Value(metrics, "smartcity_edge_upstream_records_acked_total", ("kind", "telemetry")) == readings
                && Value(metrics, "smartcity_edge_upstream_records_acked_total", ("kind", "alarm")) == alarms
                && Value(metrics, "smartcity_edge_upstream_messages_acked_total") == upstream.Length;
            if (caughtUp || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Equal(readings, Value(metrics, "smartcity_edge_upstream_records_acked_total", ("kind", "telemetry")));
        Assert.Equal(alarms, Value(metrics, "smartcity_edge_upstream_records_acked_total", ("kind", "alarm")));
        Assert.Equal(upstream.Length, Value(metrics, "smartcity_edge_upstream_messages_acked_total"));
        Assert.Equal(readings + alarms, Value(metrics, "smartcity_edge_records_committed_total"));
        Assert.Equal(1, Value(metrics, "smartcity_edge_upstream_connected", ("publisher", $"mqtt 127.0.0.1:{_broker.Port}")));
        Assert.Equal(1, Value(metrics, "smartcity_edge_alarms_active", ("severity", "high")));
        Assert.Equal(0, Value(metrics, "smartcity_edge_alarms_active", ("severity", "critical")));
        for (int i = 1; i <= 3; i++)
        {
            (string, string) device = ("device", $"panel-{i}");
            double polls = Value(metrics, "smartcity_edge_poll_duration_seconds_count", device);
            Assert.True(polls >= 1);
            Assert.Equal(polls, Value(metrics, "smartcity_edge_poll_duration_seconds_bucket", device, ("le", "+Inf")));
            // Two tags per poll; the stages run concurrently, so a poll may be counted before or after its readings.
            Assert.InRange(Value(metrics, "smartcity_edge_readings_total", device), 2, 2 * (polls + 1));
            Assert.Equal(1, Value(metrics, "smartcity_edge_device_up", device, ("driver", "simulator")));
        }

        Assert.Contains(metrics, s => s.Family == "smartcity_edge_poll_duration_seconds" && s.Type == "histogram");
        Assert.True(Value(metrics, "process_resident_memory_bytes") > 10_000_000);
        Assert.True(Value(metrics, "dotnet_gc_committed_bytes") > 0);
        Assert.True(Value(metrics, "smartcity_edge_sqlite_memory_bytes") > 0, "the buffer's SQLite connections allocate");
        Assert.True(Value(metrics, "dotnet_gc_collections_total", ("generation", "0")) >= Value(metrics, "dotnet_gc_collections_total", ("generation", "2")));

        // Buffer size: the files on disk hold at least the pages in use; the records' share is the default 1 GiB
        // max_disk minus the write-ahead log's reserve.
        double bufferCapacity = SmartCity.Edge.Gateway.Buffer.BufferDiskBudget.For(SmartCity.Edge.Gateway.Buffer.BufferOptions.DefaultMaxDiskBytes, 4096).DataBytes;
        Assert.True(Value(metrics, "smartcity_edge_buffer_bytes") > 0);
        Assert.True(Value(metrics, "smartcity_edge_buffer_disk_bytes") >= Value(metrics, "smartcity_edge_buffer_bytes"));
        Assert.Equal(bufferCapacity, Value(metrics, "smartcity_edge_buffer_capacity_bytes"));

        // Readiness and liveness; the token guards everything but /healthz.
        Assert.Equal("ready\n", await GetAsync($"http://127.0.0.1:{port}/readyz", HttpStatusCode.OK));
        Assert.Equal("ok\n", await GetAsync($"http://127.0.0.1:{port}/healthz", HttpStatusCode.OK, token: null));
        await GetAsync($"http://127.0.0.1:{port}/metrics", HttpStatusCode.Unauthorized, token: null);
        await GetAsync($"http://127.0.0.1:{port}/metrics", HttpStatusCode.Unauthorized, token: "wrong-token-0123456789");

        JsonElement status = JsonDocument.Parse(await GetAsync($"http://127.0.0.1:{port}/api/status?token={Token}", HttpStatusCode.OK, token: null)).RootElement;
        Assert.Equal(["panel-1", "panel-2", "panel-3"], status.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("id").GetString()));
        Assert.Equal("panel-2-level", status.GetProperty("alarms")[0].GetProperty("id").GetString());
        JsonElement buffer = status.GetProperty("buffer");
        Assert.Equal(bufferCapacity, buffer.GetProperty("capacity_bytes").GetDouble());
        Assert.True(buffer.GetProperty("disk_bytes").GetInt64() >= buffer.GetProperty("used_bytes").GetInt64());
        Assert.Equal(Math.Round(100.0 * buffer.GetProperty("used_bytes").GetInt64() / bufferCapacity, 2), buffer.GetProperty("fill_percent").GetDouble());
        Assert.False(gateway.HasExited);
    }

    private async Task<string> GetAsync(string url, HttpStatusCode expected, string? contentType = null, string? token = Token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using HttpResponseMessage response = await _http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{url}: {(int)response.StatusCode} {body}");
        if (contentType is not null)
        {
            Assert.StartsWith(contentType, response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        }

        return body;
    }

    private static double Value(IReadOnlyList<MetricSample> samples, string name, params (string Name, string Value)[] labels)
    {
        MetricSample[] matching = samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Name, out string? v) && v == l.Value)).ToArray();
        Assert.True(matching.Length == 1, $"expected one sample {name}{{{string.Join(',', labels)}}}, found {matching.Length}:\n{string.Join('\n', samples)}");
        return matching[0].Value;
    }
}
