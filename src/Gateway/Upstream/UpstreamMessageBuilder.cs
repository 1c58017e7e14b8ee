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

    /// <summary>The same alarm JSON, retained on <c>{prefix}/alarms/state/{alarm}</c>: the alarm's current state for late subscribers.</summary>
    public UpstreamMessage BuildAlarmState(in BufferedRecord record)
    {
        UpstreamMessage transition = BuildAlarm(record);
        var reader = new System.Text.Json.Utf8JsonReader(transition.Payload.Span);
        string? alarmId = null;
        while (alarmId is null && reader.Read())
        {
            if (reader.TokenType == System.Text.Json.JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("alarm"u8))
            {
                reader.Read();
                alarmId = reader.GetString();
            }
        }

        return transition with { Topic = _topics.AlarmState(alarmId ?? "unknown"), Retain = true };
    }

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
}
