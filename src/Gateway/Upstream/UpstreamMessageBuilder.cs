using System.Buffers;
using System.Text;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Pipeline;

namespace SmartCity.Edge.Gateway.Upstream;

/// <summary>
/// Turns buffered records into upstream messages: one message per alarm on <c>{prefix}/alarms</c>, and telemetry
/// batched per device (in seq order, at most <c>max_batch</c> readings) on <c>{prefix}/telemetry/{device}</c>.
/// </summary>
internal sealed class UpstreamMessageBuilder
{
    private readonly UpstreamTopics _topics;
    private readonly string _gatewayPrefix;
    private readonly int _maxBatch;

    public UpstreamMessageBuilder(UpstreamTopics topics, string gatewayId, int maxBatch)
    {
        _topics = topics;
        _maxBatch = maxBatch;
        _gatewayPrefix = "{\"gateway\":" + JsonText.Quote(gatewayId) + ",\"device\":";
    }

    public UpstreamMessage BuildAlarm(in BufferedRecord record)
    {
        var text = new StringBuilder(record.Body.Length + 32);
        text.Append('{').Append(record.Body).Append(",\"seq\":").Append(record.Seq).Append('}');
        return new UpstreamMessage(_topics.Alarms, Encoding.UTF8.GetBytes(text.ToString()), Retain: false, record.Seq);
    }

    /// <summary>
    /// The messages of one alarm record, in order: the transition on <c>{prefix}/alarms</c>, then the alarm's retained
    /// state. A retirement of an alarm the desk saw cleared has no transition, only the deletion of its retained state.
    /// </summary>
    public void BuildAlarmMessages(in BufferedRecord record, List<UpstreamMessage> messages)
    {
        UpstreamMessage transition = BuildAlarm(record);
        AlarmHeader header = AlarmHeader.Read(transition.Payload.Span);
        if (!(header.Retired && header.PreviousCleared))
        {
            messages.Add(transition);
        }

        messages.Add(StateOf(transition, header));
    }

    /// <summary>
    /// The same alarm JSON, retained on <c>{prefix}/alarms/state/{alarm}</c>: the alarm's current state for late
    /// subscribers. For a retired alarm (<c>"retired":true</c>) an empty retained message, which deletes the topic at
    /// the broker (MQTT 3.1.1 §3.3.1.3): it goes through the durable buffer like any alarm record, in seq order and at
    /// least once.
    /// </summary>
    public UpstreamMessage BuildAlarmState(in BufferedRecord record)
    {
        UpstreamMessage transition = BuildAlarm(record);
        return StateOf(transition, AlarmHeader.Read(transition.Payload.Span));
    }

    private UpstreamMessage StateOf(UpstreamMessage transition, AlarmHeader header) => transition with
    {
        Topic = _topics.AlarmState(header.AlarmId ?? "unknown"),
        Payload = header.Retired ? ReadOnlyMemory<byte>.Empty : transition.Payload,
        Retain = true,
    };

    /// <summary>Groups a seq-ordered run of telemetry by device, keeping each device's order.</summary>
    public void BuildTelemetry(IReadOnlyList<BufferedRecord> records, List<UpstreamMessage> messages)
    {
        var byDevice = new Dictionary<string, List<BufferedRecord>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (BufferedRecord record in records)
        {
            if (!byDevice.TryGetValue(record.DeviceId, out List<BufferedRecord>? list))
            {
                list = [];
                byDevice.Add(record.DeviceId, list);
                order.Add(record.DeviceId);
            }

            list.Add(record);
        }

        var writer = new ArrayBufferWriter<byte>(4096);
        foreach (string device in order)
        {
            List<BufferedRecord> list = byDevice[device];
            for (int start = 0; start < list.Count; start += _maxBatch)
            {
                int end = Math.Min(list.Count, start + _maxBatch);
                messages.Add(BuildTelemetryMessage(device, list, start, end, writer));
            }
        }
    }

    private UpstreamMessage BuildTelemetryMessage(string device, List<BufferedRecord> list, int start, int end, ArrayBufferWriter<byte> writer)
    {
        writer.ResetWrittenCount();
        Append(writer, _gatewayPrefix);
        Append(writer, JsonText.Quote(device));
        Append(writer, ",\"readings\":[");
        Span<char> number = stackalloc char[20];
        for (int i = start; i < end; i++)
        {
            if (i > start)
            {
                Append(writer, ",");
            }

            Append(writer, "{");
            Append(writer, list[i].Body);
            Append(writer, ",\"seq\":");
            list[i].Seq.TryFormat(number, out int written, default, System.Globalization.CultureInfo.InvariantCulture);
            Append(writer, number[..written]);
            Append(writer, "}");
        }

        Append(writer, "]}");
        return new UpstreamMessage(_topics.Telemetry(device), writer.WrittenSpan.ToArray(), Retain: false, list[end - 1].Seq);
    }

    private static void Append(ArrayBufferWriter<byte> writer, ReadOnlySpan<char> text)
    {
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        int written = Encoding.UTF8.GetBytes(text, writer.GetSpan(max));
        writer.Advance(written);
    }

    /// <summary>The members of an alarm transition the forwarder acts on: its id, and whether it retires the alarm (and from which state).</summary>
    private readonly record struct AlarmHeader(string? AlarmId, bool Retired, bool PreviousCleared)
    {
        public static AlarmHeader Read(ReadOnlySpan<byte> json)
        {
            var reader = new System.Text.Json.Utf8JsonReader(json);
            string? alarmId = null;
            bool retired = false;
            bool previousCleared = false;
            while (reader.Read())
            {
                if (reader.TokenType != System.Text.Json.JsonTokenType.PropertyName || reader.CurrentDepth != 1)
                {
                    continue;
                }

                if (reader.ValueTextEquals("alarm"u8))
                {
                    reader.Read();
                    alarmId = reader.GetString();
                }
                else if (reader.ValueTextEquals("previous"u8))
                {
                    reader.Read();
                    previousCleared = reader.ValueTextEquals("cleared"u8);
                }
                else if (reader.ValueTextEquals("retired"u8))
                {
                    reader.Read();
                    retired = reader.TokenType == System.Text.Json.JsonTokenType.True;
                }
                else
                {
                    reader.Skip();
                }
            }

            return new AlarmHeader(alarmId, retired, previousCleared);
        }
    }
}
