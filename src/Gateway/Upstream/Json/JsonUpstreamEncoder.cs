using System.Buffers;
using System.Text.Json;
using SmartCity.Edge.Gateway.Audit;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Buffer.Storage;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Upstream.Json;

/// <summary>
/// Our JSON (docs/upstream.md): one message per alarm transition on <c>{prefix}/alarms</c> plus its retained state on
/// <c>{prefix}/alarms/state/{alarm}</c>, one per operator write attempt on <c>{prefix}/audit</c>, and telemetry batched per device (in seq order, at most <c>max_batch</c>
/// readings a message) on <c>{prefix}/telemetry/{device}</c>. Rendered at publish time from the stored frames; the
/// payloads live in an arena reused from call to call.
/// </summary>
internal sealed class JsonUpstreamEncoder : IUpstreamEncoder
{
    private readonly UpstreamTopics _topics;
    private readonly string _gatewayId;
    private readonly byte[] _gatewayPrefix;
    private readonly MessageArena _arena = new();
    private readonly Utf8JsonWriter _json;
    private readonly JsonReadingWriter _readings = new();
    private readonly Dictionary<string, List<BufferedFrame>> _byDevice = new(StringComparer.Ordinal);
    private readonly List<string> _devices = [];
    private readonly Dictionary<string, (string Topic, byte[] Header)> _deviceText = new(StringComparer.Ordinal);
    private volatile int _maxBatch;

    public JsonUpstreamEncoder(UpstreamTopics topics, string gatewayId, int maxBatch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatch);
        _topics = topics;
        _maxBatch = maxBatch;
        _gatewayId = gatewayId;
        _gatewayPrefix = [.. "{\"gateway\":\""u8, .. JsonEncodedText.Encode(gatewayId).EncodedUtf8Bytes, .. "\",\"device\":\""u8];
        _json = new Utf8JsonWriter(_arena, new JsonWriterOptions { SkipValidation = true });
    }

    public void Reconfigure(UpstreamConfiguration configuration) => _maxBatch = configuration.Mqtt?.MaxBatch ?? _maxBatch;

    public void EncodeAlarms(IReadOnlyList<BufferedAlarm> alarms, List<UpstreamMessage> messages)
    {
        _arena.Reset();
        foreach (BufferedAlarm alarm in alarms)
        {
            AlarmRecord record = alarm.Record;
            _arena.BeginMessage();
            _json.Reset(_arena);
            AlarmJson.Write(_json, record, alarm.Seq);
            _json.Flush();
            ReadOnlyMemory<byte> payload = _arena.EndMessage();

            // A retirement of an alarm the desk saw cleared has no transition, only the deletion of its retained state.
            if (!record.IsQuietRetirement)
            {
                messages.Add(new UpstreamMessage(_topics.Alarms, payload, Retain: false, alarm.Seq));
            }

            // The alarm's current state for late subscribers, retained; for a retired alarm an empty retained message,
            // which deletes the topic at the broker (MQTT 3.1.1 §3.3.1.3).
            messages.Add(new UpstreamMessage(_topics.AlarmState(record.AlarmId), record.Retired ? ReadOnlyMemory<byte>.Empty : payload, Retain: true, alarm.Seq));
        }
    }

    public void EncodeAudit(IReadOnlyList<AuditRecord> records, List<UpstreamMessage> messages)
    {
        _arena.Reset();
        foreach (AuditRecord record in records)
        {
            _arena.BeginMessage();
            _json.Reset(_arena);
            AuditJson.Write(_json, record);
            _json.Flush();
            messages.Add(new UpstreamMessage(_topics.Audit, _arena.EndMessage(), Retain: false, record.Seq));
        }
    }

    /// <summary>
    /// <c>{"gateway":…,"notice":"evicted","evicted":[[from,to],…],"readings":N,"ts":…}</c> on <c>{prefix}/notices</c>:
    /// <c>ts</c> is when the last range last grew. Rare, so the payload is a fresh array.
    /// </summary>
    public void EncodeEvictionNotice(IReadOnlyList<EvictedRange> ranges, List<UpstreamMessage> messages)
    {
        if (ranges.Count == 0)
        {
            return;
        }

        var payload = new ArrayBufferWriter<byte>(128 + (ranges.Count * 48));
        using (var json = new Utf8JsonWriter(payload))
        {
            json.WriteStartObject();
            json.WriteString("gateway"u8, _gatewayId);
            json.WriteString("notice"u8, "evicted"u8);
            json.WriteStartArray("evicted"u8);
            long readings = 0;
            foreach (EvictedRange range in ranges)
            {
                json.WriteStartArray();
                json.WriteNumberValue(range.FromSeq);
                json.WriteNumberValue(range.ToSeq);
                json.WriteEndArray();
                readings += range.Readings;
            }

            json.WriteEndArray();
            json.WriteNumber("readings"u8, readings);
            Span<byte> ts = stackalloc byte[JsonTime.Length];
            JsonTime.Format(ranges[^1].EvictedAt.ToUnixTimeMilliseconds(), ts);
            json.WriteString("ts"u8, ts);
            json.WriteEndObject();
        }

        messages.Add(new UpstreamMessage(_topics.Notices, payload.WrittenMemory, Retain: false, ranges[^1].ToSeq));
    }

    public void EncodeTelemetry(IReadOnlyList<BufferedFrame> frames, List<UpstreamMessage> messages)
    {
        _arena.Reset();
        GroupByDevice(frames);
        int maxBatch = _maxBatch;
        foreach (string device in _devices)
        {
            (string topic, byte[] header) = DeviceText(device);
            int inMessage = 0;
            long lastSeq = 0;
            foreach (BufferedFrame frame in _byDevice[device])
            {
                byte[][] prefixes = _readings.PrefixesFor(frame.Table);
                _readings.BeginFrame();
                long seq = frame.FirstSeq;
                try
                {
                    var reader = new FrameBodyReader(frame.Body.Span, frame.Table.Count);
                    if (reader.Count != frame.Count)
                    {
                        throw new StoredFormatException($"the body holds {reader.Count} readings, the row says {frame.Count}");
                    }

                    while (reader.TryRead(out StoredReading reading))
                    {
                        if (inMessage == 0)
                        {
                            _arena.BeginMessage();
                            Write(header);
                        }
                        else
                        {
                            Write(","u8);
                        }

                        _readings.Write(_arena, prefixes, reading, seq);
                        lastSeq = seq++;
                        if (++inMessage == maxBatch)
                        {
                            Write("]}"u8);
                            messages.Add(new UpstreamMessage(topic, _arena.EndMessage(), Retain: false, lastSeq));
                            inMessage = 0;
                        }
                    }
                }
                catch (StoredFormatException ex)
                {
                    throw new DamagedFrameException(frame, ex);
                }
            }

            if (inMessage > 0)
            {
                Write("]}"u8);
                messages.Add(new UpstreamMessage(topic, _arena.EndMessage(), Retain: false, lastSeq));
            }
        }
    }

    /// <summary>Frames per device in the order the devices first appear; each device's frames stay in seq order.</summary>
    private void GroupByDevice(IReadOnlyList<BufferedFrame> frames)
    {
        foreach (List<BufferedFrame> list in _byDevice.Values)
        {
            list.Clear();
        }

        _devices.Clear();
        foreach (BufferedFrame frame in frames)
        {
            string device = frame.Table.DeviceId;
            if (!_byDevice.TryGetValue(device, out List<BufferedFrame>? list))
            {
                _byDevice.Add(device, list = []);
            }

            if (list.Count == 0)
            {
                _devices.Add(device);
            }

            list.Add(frame);
        }
    }

    /// <summary>The device's topic and the message head up to its readings: <c>{"gateway":…,"device":…,"readings":[</c>.</summary>
    private (string Topic, byte[] Header) DeviceText(string device)
    {
        if (!_deviceText.TryGetValue(device, out (string Topic, byte[] Header) text))
        {
            text = (_topics.Telemetry(device), [.. _gatewayPrefix, .. JsonEncodedText.Encode(device).EncodedUtf8Bytes, .. "\",\"readings\":["u8]);
            _deviceText.Add(device, text);
        }

        return text;
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_arena.GetSpan(bytes.Length));
        _arena.Advance(bytes.Length);
    }
}
