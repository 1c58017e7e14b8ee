using System.Text.Json;
using SmartCity.Edge.Gateway.Tests.Cli;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Sparkplug;

/// <summary>
/// Our Sparkplug host application (tests/peers/sparkplug/host.js, on npm mqtt + Tahu's sparkplug-payload) connected to
/// one broker: every message it got, decoded by Tahu's codec, one <see cref="JsonElement"/> per line; and commands to
/// publish a STATE, an NCMD or raw bytes.
/// </summary>
internal sealed class SparkplugHostPeer : IAsyncDisposable
{
    private readonly PeerProcess _process;
    private int _nextId;

    private SparkplugHostPeer(PeerProcess process)
    {
        _process = process;
    }

    public static async Task<SparkplugHostPeer> StartAsync(int brokerPort)
    {
        string script = Path.Combine(PeerProcess.PeersDirectory, "sparkplug", "host.js");
        return new SparkplugHostPeer(await PeerProcess.StartAsync("node", script, "--port", brokerPort.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>Every decoded line so far, in arrival order.</summary>
    public IReadOnlyList<JsonElement> Events => _process.Lines.Select(Parse).ToList();

    /// <summary>The messages edge nodes published (not STATE, not commands) so far, in arrival order.</summary>
    public IReadOnlyList<JsonElement> Messages => Events
        .Where(e => e.GetProperty("ev").GetString() == "msg" && e.GetProperty("type").GetString() is not ("NCMD" or "DCMD"))
        .ToList();

    /// <summary>Waits for the <paramref name="nth"/> (1-based) event that matches and returns it.</summary>
    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> match, int nth = 1, TimeSpan? timeout = null)
    {
        int seen = 0;
        string line = await _process.WaitForLineAsync(l => match(Parse(l)) && ++seen == nth, timeout ?? TestTimeouts.Short);
        return Parse(line);
    }

    public Task<JsonElement> WaitForMessageAsync(string type, int nth = 1, TimeSpan? timeout = null) =>
        WaitForAsync(e => IsMessage(e, type), nth, timeout);

    public static bool IsMessage(JsonElement e, string type) =>
        e.GetProperty("ev").GetString() == "msg" && e.GetProperty("type").GetString() == type;

    public Task PublishStateAsync(string hostId, bool online, long timestamp) =>
        SendAsync(new Dictionary<string, object> { ["op"] = "state", ["host"] = hostId, ["online"] = online, ["timestamp"] = timestamp });

    /// <summary>An NCMD encoded by sparkplug-payload with one Boolean metric.</summary>
    public Task PublishNodeCommandAsync(string group, string edge, string metric, object value, string type = "Boolean", int qos = 0) =>
        SendAsync(new Dictionary<string, object>
        {
            ["op"] = "ncmd", ["group"] = group, ["edge"] = edge, ["qos"] = qos,
            ["metrics"] = new object[] { new Dictionary<string, object> { ["name"] = metric, ["type"] = type, ["value"] = value } },
        });

    public Task PublishDeviceCommandAsync(string group, string edge, string device, string metric, object value, string type) =>
        SendAsync(new Dictionary<string, object>
        {
            ["op"] = "dcmd", ["group"] = group, ["edge"] = edge, ["device"] = device,
            ["metrics"] = new object[] { new Dictionary<string, object> { ["name"] = metric, ["type"] = type, ["value"] = value } },
        });

    /// <summary>A DCMD encoded by sparkplug-payload with the given metrics (each <c>name</c> and/or <c>alias</c>, <c>type</c>, <c>value</c>).</summary>
    public Task PublishDeviceCommandAsync(string group, string edge, string device, params Dictionary<string, object>[] metrics) =>
        SendAsync(new Dictionary<string, object>
        {
            ["op"] = "dcmd", ["group"] = group, ["edge"] = edge, ["device"] = device,
            ["metrics"] = metrics.Cast<object>().ToArray(),
        });

    public Task PublishRawAsync(string topic, byte[] payload, int qos = 0, bool retain = false) =>
        SendAsync(new Dictionary<string, object> { ["op"] = "raw", ["topic"] = topic, ["hex"] = Convert.ToHexString(payload), ["qos"] = qos, ["retain"] = retain });

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    /// <summary>Sends a command and waits until the host's client has published it (QoS 1: the broker acknowledged it).</summary>
    private async Task SendAsync(Dictionary<string, object> command)
    {
        int id = Interlocked.Increment(ref _nextId);
        command["id"] = id;
        await _process.SendLineAsync(JsonSerializer.Serialize(command, SparkplugTestJson.Default.DictionaryStringObject));
        JsonElement done = await WaitForAsync(e => e.GetProperty("ev").GetString() == "done" && e.GetProperty("id").GetInt32() == id);
        if (done.GetProperty("error").ValueKind != JsonValueKind.Null)
        {
            throw new InvalidOperationException("the host could not publish: " + done.GetProperty("error").GetString());
        }
    }

    private static JsonElement Parse(string line) =>
        line.StartsWith('{') ? JsonDocument.Parse(line).RootElement : JsonDocument.Parse("{\"ev\":\"text\"}").RootElement;
}
