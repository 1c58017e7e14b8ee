using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Input;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Payload;

namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Node;

/// <summary>
/// Renders the edge node's messages (§6.4.18 to §6.4.22) into payloads: births with names, aliases, datatypes, a
/// value (or null) and the Quality of every metric; DATA with aliases only; NDEATH with bdSeq only. Every metric and
/// payload carries a timestamp (tck-id-payloads-name-birth-data-requirement). One writer, reused: a payload returned
/// here is valid until the next call.
/// </summary>
internal sealed class SparkplugMessageEncoder
{
    private readonly SparkplugPayloadWriter _writer = new();
    private readonly SparkplugNodeDescription _node;
    private readonly string _operatingSystem = System.Runtime.InteropServices.RuntimeInformation.OSDescription;

    public SparkplugMessageEncoder(SparkplugNodeDescription node)
    {
        _node = node;
    }

    /// <summary>Called once per tag whose value does not fit its configured type (sent as null, BAD).</summary>
    public Action<string, SparkplugTag, TagValue>? ValueMismatch { get; set; }

    /// <summary>Metrics in the payload being built.</summary>
    public int Count => _writer.Count;

    /// <summary>The NDEATH, also the Will: bdSeq only, no seq (tck-id-payloads-ndeath-seq, …-ndeath-bdseq).</summary>
    public ReadOnlyMemory<byte> NDeath(ulong now, long bdSeq)
    {
        _writer.Begin(now, seq: null);
        _writer.Add(BdSeqMetric(now, bdSeq));
        return _writer.Finish();
    }

    /// <summary>The NBIRTH (§6.4.19): bdSeq, Node Control, properties, and every announced alarm's metrics.</summary>
    public ReadOnlyMemory<byte> NBirth(ulong seq, ulong now, long bdSeq, IEnumerable<SparkplugAlarmState> alarms)
    {
        _writer.Begin(now, seq);
        _writer.Add(BdSeqMetric(now, bdSeq));
        _writer.Add(new SparkplugMetric(SparkplugNodeMetrics.Rebirth, 0, now, SparkplugDataType.Boolean, true, SparkplugWireValue.Boolean(false), false, false, SparkplugMetric.NoQuality));
        _writer.Add(new SparkplugMetric(SparkplugNodeMetrics.NextServer, 0, now, SparkplugDataType.Boolean, true, SparkplugWireValue.Boolean(false), false, false, SparkplugMetric.NoQuality));
        AddProperty(SparkplugNodeMetrics.Software, SparkplugNodeDescription.Software, now);
        AddProperty(SparkplugNodeMetrics.SoftwareVersion, _node.SoftwareVersion, now);
        AddProperty(SparkplugNodeMetrics.OperatingSystem, _operatingSystem, now);
        foreach (SparkplugAlarmState alarm in alarms)
        {
            AddAlarm(alarm, alarm.Last, now, birth: true, historical: false);
        }

        return _writer.Finish();
    }

    /// <summary>A DBIRTH (§6.4.20): every tag of the device with name, alias, datatype, current value or null, and Quality.</summary>
    public ReadOnlyMemory<byte> DBirth(ulong seq, ulong now, SparkplugDeviceState device)
    {
        _writer.Begin(now, seq);
        for (int i = 0; i < device.Tags.Count; i++)
        {
            SparkplugTag tag = device.Tags[i];
            if (!device.HasValue[i])
            {
                _writer.Add(new SparkplugMetric(tag.Id, device.Aliases[i], now, tag.Type, true, default, true, false, SparkplugQuality.Bad));
                device.HostSawNotGood[i] = true;
                continue;
            }

            SparkplugMetric metric = ValueMetric(device, i, device.Values[i], device.Qualities[i], device.Timestamps[i], historical: false, birth: true);
            _writer.Add(metric with { Name = tag.Id, WriteDataType = true });
        }

        return _writer.Finish();
    }

    /// <summary>A DDEATH (§6.4.22): seq and timestamp, no metrics.</summary>
    public ReadOnlyMemory<byte> DDeath(ulong seq, ulong now)
    {
        _writer.Begin(now, seq);
        return _writer.Finish();
    }

    /// <summary>Starts an NDATA or DDATA payload; add metrics, then <see cref="FinishData"/>.</summary>
    public void BeginData(ulong seq, ulong now) => _writer.Begin(now, seq);

    /// <summary>Adds a reading of the device's tag <paramref name="tagIndex"/> (an index in its current table), by alias.</summary>
    public void AddPoint(SparkplugDeviceState device, int tagIndex, in SparkplugPoint point, bool historical) =>
        _writer.Add(ValueMetric(device, tagIndex, point.Value, point.Quality, point.Timestamp, historical, birth: false));

    /// <summary>Adds an alarm transition's five metrics, by alias.</summary>
    public void AddAlarm(SparkplugAlarmState alarm, SparkplugAlarmRecord record, bool historical) =>
        AddAlarm(alarm, record, (ulong)record.Timestamp, birth: false, historical);

    public ReadOnlyMemory<byte> FinishData() => _writer.Finish();

    private static SparkplugMetric BdSeqMetric(ulong now, long bdSeq) =>
        new(SparkplugNodeMetrics.BdSeq, 0, now, SparkplugDataType.Int64, true, SparkplugWireValue.Long((ulong)bdSeq), false, false, SparkplugMetric.NoQuality);

    private void AddProperty(string name, string value, ulong now) =>
        _writer.Add(new SparkplugMetric(name, 0, now, SparkplugDataType.String, true, SparkplugWireValue.String(value), false, false, SparkplugMetric.NoQuality));

    private void AddAlarm(SparkplugAlarmState alarm, SparkplugAlarmRecord? record, ulong now, bool birth, bool historical)
    {
        ulong timestamp = record is null ? now : (ulong)record.Timestamp;
        AddText(birth ? alarm.StateName : null, alarm.FirstAlias, timestamp, record?.State, historical, birth);
        AddText(birth ? alarm.SeverityName : null, alarm.FirstAlias + 1, timestamp, record?.Severity, historical, birth);
        AddText(birth ? alarm.MessageName : null, alarm.FirstAlias + 2, timestamp, record?.Message, historical, birth);
        _writer.Add(new SparkplugMetric(
            birth ? alarm.SeqName : null, alarm.FirstAlias + 3, timestamp, SparkplugDataType.Int64, birth,
            record is null ? default : SparkplugWireValue.Long((ulong)record.Seq), record is null, historical, SparkplugMetric.NoQuality));
        AddText(birth ? alarm.AckByName : null, alarm.FirstAlias + 4, timestamp, record?.AckBy, historical, birth);
    }

    private void AddText(string? name, ulong alias, ulong timestamp, string? text, bool historical, bool birth) =>
        _writer.Add(new SparkplugMetric(
            name, alias, timestamp, SparkplugDataType.String, birth,
            text is null ? default : SparkplugWireValue.String(text), text is null, historical, SparkplugMetric.NoQuality));

    private SparkplugMetric ValueMetric(SparkplugDeviceState device, int index, TagValue value, Quality quality, long timestamp, bool historical, bool birth)
    {
        SparkplugTag tag = device.Tags[index];
        ulong alias = device.Aliases[index];
        bool encoded = false;
        SparkplugWireValue wire = default;
        if (quality != Quality.Bad && !value.IsNone)
        {
            encoded = SparkplugValueEncoding.TryEncode(tag.Type, value, out wire);
            if (!encoded)
            {
                ValueMismatch?.Invoke(device.DeviceId, tag, value);
            }
        }

        // Quality: always in births; in DATA when not GOOD, and GOOD once explicitly after the host saw something else.
        int code = encoded ? SparkplugQuality.From(quality) : SparkplugQuality.Bad;
        int written = birth || code != SparkplugQuality.Good || (!historical && device.HostSawNotGood[index]) ? code : SparkplugMetric.NoQuality;
        if (!historical)
        {
            device.HostSawNotGood[index] = code != SparkplugQuality.Good;
        }

        return new SparkplugMetric(null, alias, (ulong)timestamp, tag.Type, false, wire, !encoded, historical, written);
    }
}
