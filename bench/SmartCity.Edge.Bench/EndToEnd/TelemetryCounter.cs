using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Payload;

namespace SmartCity.Edge.Bench.EndToEnd;

/// <summary>
/// The subscriber at the broker: counts telemetry points (readings inside each JSON message, not messages) per
/// system from <c>bench/{system}/telemetry/{device}</c> (QoS 1), and watches mosquitto's count of dropped messages
/// (<c>$SYS/broker/publish/messages/dropped</c>), which would grow if this subscriber fell behind. Each message is
/// parsed with <see cref="Utf8JsonReader"/>; the poll-to-subscriber latency of its first reading shows whether it
/// keeps up (it stays flat when it does, and grows without bound when it does not). A system publishing as a Sparkplug
/// edge node (group <c>bench</c>, edge node = the system's name) is counted from its DDATA (QoS 0, as Sparkplug
/// requires): one point per metric, decoded with the gateway's own Sparkplug reader.
/// </summary>
internal sealed class TelemetryCounter : IAsyncDisposable
{
    public const string TopicRoot = "bench";
    private const string DroppedTopic = "$SYS/broker/publish/messages/dropped";

    /// <summary>spBv1.0/{group}/DDATA: the Sparkplug systems' data, <c>…/{edge node = system}/{device}</c> below it.</summary>
    private const string SparkplugData = "spBv1.0/" + TopicRoot + "/DDATA";

    private readonly IMqttClient _client;
    private readonly ConcurrentDictionary<string, SystemTally> _tallies = new(StringComparer.Ordinal);
    private long _brokerDropped = -1;

    private TelemetryCounter(IMqttClient client)
    {
        _client = client;
        _client.ApplicationMessageReceivedAsync += e =>
        {
            OnMessage(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload);
            return Task.CompletedTask;
        };
    }

    /// <summary>mosquitto's dropped-message count at its last $SYS report (every second), or -1 before the first.</summary>
    public long BrokerDropped => Interlocked.Read(ref _brokerDropped);

    public static async Task<TelemetryCounter> ConnectAsync(int brokerPort, CancellationToken cancellationToken)
    {
        IMqttClient client = new MqttClientFactory().CreateMqttClient();
        var counter = new TelemetryCounter(client);
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", brokerPort).WithClientId("e2e-bench-counter").WithCleanSession().Build(), cancellationToken);
        await client.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter($"{TopicRoot}/+/telemetry/#", MqttQualityOfServiceLevel.AtLeastOnce)
                .WithTopicFilter($"{SparkplugData}/#", MqttQualityOfServiceLevel.AtMostOnce)
                .WithTopicFilter(DroppedTopic, MqttQualityOfServiceLevel.AtMostOnce)
                .Build(),
            cancellationToken);
        return counter;
    }

    public SystemTally For(string system) => _tallies.GetOrAdd(system, _ => new SystemTally());

    private void OnMessage(string topic, ReadOnlySequence<byte> payload)
    {
        DateTime received = DateTime.UtcNow;
        if (topic == DroppedTopic)
        {
            Interlocked.Exchange(ref _brokerDropped, long.Parse(Encoding.ASCII.GetString(payload), CultureInfo.InvariantCulture));
            return;
        }

        if (topic.StartsWith(SparkplugData + "/", StringComparison.Ordinal))
        {
            OnSparkplugData(topic, payload, received);
            return;
        }

        // bench/{system}/telemetry/{device}
        int first = topic.IndexOf('/', StringComparison.Ordinal);
        int second = topic.IndexOf('/', first + 1);
        SystemTally tally = For(topic[(first + 1)..second]);
        int points;
        DateTime? sampled;
        long lastSeq;
        try
        {
            (points, sampled, lastSeq) = Count(payload);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            tally.AddMalformed(); // not our upstream JSON: counted and reported, never a point
            return;
        }

        int topicBytes = Encoding.UTF8.GetByteCount(topic);
        tally.Add(topic, points, MqttPublishBytes(topicBytes, payload.Length), sampled is { } ts ? (received - ts).TotalMilliseconds : -1, lastSeq);
    }

    /// <summary>spBv1.0/bench/DDATA/{system}/{device}: one point per metric, the first metric's timestamp for the latency.</summary>
    private void OnSparkplugData(string topic, ReadOnlySequence<byte> payload, DateTime received)
    {
        int start = SparkplugData.Length + 1;
        int end = topic.IndexOf('/', start);
        SystemTally tally = For(end < 0 ? topic[start..] : topic[start..end]);
        SparkplugReceivedPayload decoded;
        try
        {
            decoded = SparkplugPayloadReader.Read(payload.ToArray(), maxMetrics: 1_000_000);
        }
        catch (SparkplugPayloadException)
        {
            tally.AddMalformed();
            return;
        }

        double latency = decoded.Metrics.Count > 0 && decoded.Metrics[0].Timestamp is { } ms
            ? (received - DateTime.UnixEpoch.AddMilliseconds(ms)).TotalMilliseconds
            : -1;
        // QoS 0: no packet id in the PUBLISH.
        tally.Add(topic, decoded.Metrics.Count, MqttPublishBytes(Encoding.UTF8.GetByteCount(topic), payload.Length) - 2, latency, lastSeq: -1);
    }

    /// <summary>Readings in one telemetry message (docs/upstream.md shape), the first one's <c>ts</c>, the last one's <c>seq</c>.</summary>
    internal static (int Points, DateTime? FirstSampled, long LastSeq) Count(ReadOnlySequence<byte> payload)
    {
        var reader = new Utf8JsonReader(payload);
        int points = 0;
        DateTime? firstSampled = null;
        long lastSeq = -1;
        bool inReadings = false;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName when reader.CurrentDepth == 1:
                    inReadings = reader.ValueTextEquals("readings"u8);
                    break;
                case JsonTokenType.StartObject when inReadings && reader.CurrentDepth == 2:
                    points++;
                    break;
                case JsonTokenType.PropertyName when inReadings && reader.CurrentDepth == 3 && points == 1 && reader.ValueTextEquals("ts"u8):
                    reader.Read();
                    firstSampled = reader.GetDateTimeOffset().UtcDateTime;
                    break;
                case JsonTokenType.PropertyName when inReadings && reader.CurrentDepth == 3 && reader.ValueTextEquals("seq"u8):
                    reader.Read();
                    lastSeq = reader.GetInt64();
                    break;
            }
        }

        return (points, firstSampled, lastSeq);
    }

    /// <summary>Size of the MQTT 3.1.1 QoS 1 PUBLISH packet that carried it (§3.3): fixed header, topic, packet id, payload.</summary>
    internal static long MqttPublishBytes(int topicBytes, long payloadBytes)
    {
        long remaining = 2 + topicBytes + 2 + payloadBytes;
        int lengthBytes = remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4;
        return 1 + lengthBytes + remaining;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }
}
