using System.Text.Json;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Tests.Buffer;
using SmartCity.Edge.Gateway.Tests.Integration;
using SmartCity.Edge.Gateway.Upstream.Sparkplug;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Input;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Node;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Payload;

namespace SmartCity.Edge.Gateway.Tests.Sparkplug;

/// <summary>
/// An edge node under test: real mosquitto broker(s), our host peer on each, an in-memory record source, a data
/// directory of its own. The node runs in the background until the rig is disposed (a clean stop: NDEATH).
/// </summary>
internal sealed class SparkplugRig : IAsyncDisposable
{
    public const string Group = "park-a";
    public const string EdgeNode = "gw-01";

    private readonly List<MosquittoBroker> _brokers;
    private readonly List<SparkplugHostPeer> _hosts;
    private CancellationTokenSource? _stop;
    private Task? _run;

    private SparkplugRig(List<MosquittoBroker> brokers, List<SparkplugHostPeer> hosts, TempDataDirectory data)
    {
        _brokers = brokers;
        _hosts = hosts;
        Data = data;
    }

    /// <summary>Every tag type the gateway's configuration can give a tag, one tag each.</summary>
    public static SparkplugTagTable AllTypes { get; } = new(
    [
        new("i8", SparkplugDataType.Int8), new("i16", SparkplugDataType.Int16), new("i32", SparkplugDataType.Int32), new("i64", SparkplugDataType.Int64),
        new("u8", SparkplugDataType.UInt8), new("u16", SparkplugDataType.UInt16), new("u32", SparkplugDataType.UInt32), new("u64", SparkplugDataType.UInt64),
        new("f32", SparkplugDataType.Float), new("f64", SparkplugDataType.Double), new("flag", SparkplugDataType.Boolean),
        new("text", SparkplugDataType.String), new("when", SparkplugDataType.DateTime),
    ]);

    public TempDataDirectory Data { get; }

    public InMemoryRecordSource Source { get; private set; } = new();

    public CollectingLogger<SparkplugEdgeNode> Log { get; private set; } = new();

    public SparkplugEdgeNode Node { get; private set; } = null!;

    public MosquittoBroker Broker => _brokers[0];

    public SparkplugHostPeer Host => _hosts[0];

    public IReadOnlyList<MosquittoBroker> Brokers => _brokers;

    public IReadOnlyList<SparkplugHostPeer> Hosts => _hosts;

    /// <summary>Starts <paramref name="brokers"/> mosquittos (by default plain, anonymous) and a host on each (on its anonymous listener).</summary>
    public static async Task<SparkplugRig> StartBrokersAsync(int brokers = 1, Func<Task<MosquittoBroker>>? start = null)
    {
        var started = new List<MosquittoBroker>();
        var hosts = new List<SparkplugHostPeer>();
        for (int i = 0; i < brokers; i++)
        {
            MosquittoBroker broker = await (start ?? MosquittoBroker.StartAsync)();
            started.Add(broker);
            hosts.Add(await SparkplugHostPeer.StartAsync(broker.AnonymousPort));
        }

        return new SparkplugRig(started, hosts, new TempDataDirectory());
    }

    public SparkplugUpstreamConfiguration Configuration(string? primaryHostId = null, IEnumerable<int>? ports = null, TlsFiles? tls = null) => new(
        (ports ?? _brokers.Select(b => b.Port)).Select(p => new SparkplugServerAddress("127.0.0.1", p, UseTls: tls is not null)).ToArray(),
        Group,
        EdgeNode,
        primaryHostId,
        "spb-test-" + EdgeNode,
        Username: null,
        Password: null,
        tls);

    /// <summary>Starts the edge node in the background.</summary>
    public void StartNode(SparkplugUpstreamConfiguration? configuration = null, SparkplugEdgeNodeOptions? options = null, TimeProvider? time = null, InMemoryRecordSource? source = null, IReadOnlyList<string>? alarms = null, Gateway.Commands.SparkplugWriteChannel? writes = null)
    {
        Source = source ?? Source;
        Log = new CollectingLogger<SparkplugEdgeNode>();
        Node = new SparkplugEdgeNode(
            configuration ?? Configuration(),
            new SparkplugNodeDescription("1.2.3-test", alarms ?? []),
            Source,
            Data.Path,
            time ?? TimeProvider.System,
            Log,
            options,
            writes);
        _stop = new CancellationTokenSource();
        _run = Node.RunAsync(_stop.Token);
    }

    /// <summary>Stops the node cleanly (NDEATH, DISCONNECT) and waits for it.</summary>
    public async Task StopNodeAsync()
    {
        if (_stop is null || _run is null)
        {
            return;
        }

        await _stop.CancelAsync();
        await _run.WaitAsync(TestTimeouts.Short);
        await Node.DisposeAsync();
        _stop.Dispose();
        _stop = null;
        _run = null;
        AssertNoErrorsLogged();
    }

    /// <summary>Waits until the node logged <paramref name="count"/> entries with <paramref name="eventId"/> (the node's loop is single-threaded: everything it received before is handled).</summary>
    public async Task<LogEntry> WaitForLogAsync(int eventId, int count = 1)
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Short);
        while (true)
        {
            IReadOnlyList<LogEntry> entries = Log.WithEventId(eventId);
            if (entries.Count >= count)
            {
                return entries[count - 1];
            }

            try
            {
                await Task.Delay(10, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"log event {eventId} not seen {count} time(s); log: {string.Join(" | ", Log.Entries.Select(e => e.Message))}");
            }
        }
    }

    public void AssertNoErrorsLogged()
    {
        LogEntry[] errors = Log.Entries.Where(e => e.Level >= LogLevel.Error).ToArray();
        Assert.True(errors.Length == 0, "errors logged: " + string.Join(" | ", errors.Select(e => e.Message)));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopNodeAsync();
        }
        finally
        {
            foreach (SparkplugHostPeer host in _hosts)
            {
                await host.DisposeAsync();
            }

            foreach (MosquittoBroker broker in _brokers)
            {
                await broker.DisposeAsync();
            }

            Data.Dispose();
        }
    }

    public static bool IsMessage(JsonElement e, string type) => SparkplugHostPeer.IsMessage(e, type);

    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public static (int, TagValue, Quality, long) Good(int tag, TagValue value, long timestamp) => (tag, value, Quality.Good, timestamp);

    /// <summary>The metric of <paramref name="message"/> that the host resolved to <paramref name="name"/>.</summary>
    public static JsonElement Metric(JsonElement message, string name) =>
        message.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("resolvedName").GetString() == name);

    public static string? Text(JsonElement element, string property) =>
        element.GetProperty(property).ValueKind == JsonValueKind.Null ? null : element.GetProperty(property).ToString();
}
