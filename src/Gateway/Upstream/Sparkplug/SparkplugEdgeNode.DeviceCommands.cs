using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Commands;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Input;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Node;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Payload;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Session;

namespace SmartCity.Edge.Gateway.Upstream.Sparkplug;

/// <summary>
/// The DCMD facet (§6.4.24, §5.17 of the notes): with <c>upstream.sparkplug.commands: true</c>, each metric of a DCMD
/// becomes a <see cref="SparkplugWriteRequest"/> for <see cref="SparkplugWriteService"/>, which applies the tag's write
/// rules, <c>commands_allow</c> and the audit trail. This loop only reads: it resolves the metric to a tag and decodes
/// the value by the tag's datatype, and never waits for a device.
/// </summary>
/// <remarks>
/// Whatever cannot be read becomes a refusal to audit (nothing is written): a payload that is no Sparkplug B protobuf,
/// more than <see cref="MaxWritesPerCommand"/> metrics (the whole DCMD), a device without a DBIRTH, a metric whose
/// alias or name is no tag of the device (or whose name and alias disagree), a datatype other than the DBIRTH's, null,
/// a value field that does not carry the datatype. With commands off, a DCMD is counted and logged at most once a
/// minute, and neither executed nor audited (a flood must not grow the audit trail of a feature that is off).
/// </remarks>
internal sealed partial class SparkplugEdgeNode
{
    /// <summary>More metrics than this in one DCMD refuse the whole DCMD: a host writing more at once is not operating a park.</summary>
    public const int MaxWritesPerCommand = 16;

    private static readonly TimeSpan s_commandsOffLogInterval = TimeSpan.FromMinutes(1);

    private readonly SparkplugWriteChannel? _writes;
    private readonly string _commandSender;
    private long _deviceCommandsRefused;
    private long _deviceCommandsDropped;
    private DateTimeOffset _commandsOffLogDue = DateTimeOffset.MinValue;

    /// <summary>DCMDs received while <c>commands</c> is off (none executed).</summary>
    public long DeviceCommandsRefused => Interlocked.Read(ref _deviceCommandsRefused);

    /// <summary>DCMD writes dropped because <see cref="SparkplugWriteChannel.Capacity"/> writes were waiting.</summary>
    public long DeviceCommandsDropped => Interlocked.Read(ref _deviceCommandsDropped);

    private void ReadDeviceCommand(string topic, byte[] payload)
    {
        if (_writes is null)
        {
            CommandsOff(topic);
            return;
        }

        if (DeviceOf(topic) is not { } device)
        {
            return;
        }

        SparkplugReceivedPayload command;
        try
        {
            command = SparkplugPayloadReader.Read(payload, MaxCommandMetrics);
        }
        catch (SparkplugPayloadException ex)
        {
            PostRefusal(topic, device.DeviceId, CommandRefusalCode.Malformed, "the DCMD is not a Sparkplug B payload: " + ex.Message);
            return;
        }

        if (command.Metrics.Count == 0)
        {
            PostRefusal(topic, device.DeviceId, CommandRefusalCode.Malformed, "the DCMD carries no metric: nothing to write");
        }
        else if (command.Metrics.Count > MaxWritesPerCommand)
        {
            PostRefusal(topic, device.DeviceId, CommandRefusalCode.TooLarge, $"the DCMD carries {command.Metrics.Count} metrics, at most {MaxWritesPerCommand}: none of them is written");
        }
        else
        {
            // Each metric is a write of its own: checked, executed and audited separately, in order.
            foreach (SparkplugReceivedMetric metric in command.Metrics)
            {
                Post(topic, Resolve(topic, device, metric));
            }
        }
    }

    /// <summary>A DCMD the session did not hand over (too large, retained): audited as refused when commands are on.</summary>
    private void RejectedDeviceCommand(SparkplugSessionEvent e)
    {
        if (_topics.DeviceOfCommand(e.Topic) is null)
        {
            return;
        }

        if (_writes is null)
        {
            CommandsOff(e.Topic);
        }
        else if (DeviceOf(e.Topic) is { } device)
        {
            PostRefusal(e.Topic, device.DeviceId, e.Oversized ? CommandRefusalCode.TooLarge : CommandRefusalCode.Malformed, "DCMD refused: " + e.Detail);
        }
    }

    /// <summary>The device a DCMD topic names, when it has had a DBIRTH from this node; else the refusal is posted and null returned.</summary>
    private SparkplugDeviceState? DeviceOf(string topic)
    {
        string? deviceId = _topics.DeviceOfCommand(topic);
        if (deviceId is not null && _devices.TryGetValue(deviceId, out SparkplugDeviceState? device))
        {
            return device;
        }

        PostRefusal(topic, null, CommandRefusalCode.UnknownTarget, $"the DCMD names device {CommandText.Quote(deviceId ?? topic)}, which this edge node has given no DBIRTH");
        return null;
    }

    /// <summary>A metric as a write: its tag by alias (what DATA and hosts use) or by name, its value by the tag's datatype.</summary>
    private SparkplugWriteRequest Resolve(string topic, SparkplugDeviceState device, SparkplugReceivedMetric metric)
    {
        SparkplugTagTable tags = device.Tags;
        int index;
        if (metric.Alias is { } alias)
        {
            index = Array.IndexOf(device.Aliases, alias);
            if (index < 0)
            {
                return Refusal(topic, device.DeviceId, null, CommandRefusalCode.UnknownTarget, $"alias {alias} is no metric of device '{device.DeviceId}' (its DBIRTH lists the aliases)");
            }

            if (metric.Name is { } named && !string.Equals(named, tags[index].Id, StringComparison.Ordinal))
            {
                return Refusal(topic, device.DeviceId, null, CommandRefusalCode.Malformed, $"the metric's name {CommandText.Quote(named)} and alias {alias} (tag '{tags[index].Id}') name different tags");
            }
        }
        else if (metric.Name is { } name)
        {
            index = tags.IndexOf(name);
            if (index < 0)
            {
                return Refusal(topic, device.DeviceId, null, CommandRefusalCode.UnknownTarget, $"device '{device.DeviceId}' has no metric {CommandText.Quote(name)}");
            }
        }
        else
        {
            return Refusal(topic, device.DeviceId, null, CommandRefusalCode.Malformed, "a metric with neither name nor alias");
        }

        SparkplugTag tag = tags[index];
        if (metric.DataType is { } datatype && datatype != (uint)tag.Type)
        {
            return Refusal(topic, device.DeviceId, tag.Id, CommandRefusalCode.Value, $"metric '{tag.Id}' is a {tag.Type} (datatype {(uint)tag.Type}) in its DBIRTH, not datatype {datatype}");
        }

        if (metric.IsNull)
        {
            return Refusal(topic, device.DeviceId, tag.Id, CommandRefusalCode.Value, $"metric '{tag.Id}' is null: no value to write");
        }

        if (!FitsDataType(tag.Type, metric.Value))
        {
            return Refusal(topic, device.DeviceId, tag.Id, CommandRefusalCode.Value, $"metric '{tag.Id}' is a {tag.Type}, and {metric.Value.Bits} does not fit it (the device would get a cut-off number)");
        }

        if (!SparkplugValueEncoding.TryDecode(tag.Type, metric.Value, out TagValue value))
        {
            string field = metric.Value.Field == SparkplugValueField.None ? "no value field" : "a " + metric.Value.Field.ToString().ToLowerInvariant() + "_value";
            return Refusal(topic, device.DeviceId, tag.Id, CommandRefusalCode.Value, $"metric '{tag.Id}' is a {tag.Type}, but the DCMD carries {field}");
        }

        if (value.Kind == TagValueKind.String && value.AsString() is { Length: > WriteCommand.MaxText } text)
        {
            return Refusal(topic, device.DeviceId, tag.Id, CommandRefusalCode.Value, $"the text for metric '{tag.Id}' is {text.Length} characters, at most {WriteCommand.MaxText}");
        }

        return new SparkplugWriteRequest(_commandSender, topic, device.DeviceId, tag.Id, value, null);
    }

    /// <summary>
    /// An integer that the datatype holds: decoding keeps only the low 8/16/32 bits (tolerant for DATA), which for a
    /// write would turn 70000 for a UInt16 into 4464. Int8/Int16/Int32 come sign-extended (Tahu, the TCK) or, from
    /// some hosts, as the bare low bits; both are taken.
    /// </summary>
    private static bool FitsDataType(SparkplugDataType type, in SparkplugWireValue wire)
    {
        if (wire.Field is not (SparkplugValueField.Int or SparkplugValueField.Long))
        {
            return true;
        }

        ulong bits = wire.Bits;
        long signed = unchecked((long)bits);
        int low32 = unchecked((int)(uint)bits);
        bool in32 = bits <= uint.MaxValue || signed is < 0 and >= int.MinValue; // a 32-bit field, or an int sign-extended to 64 bits
        return type switch
        {
            SparkplugDataType.UInt8 => bits <= byte.MaxValue,
            SparkplugDataType.UInt16 => bits <= ushort.MaxValue,
            SparkplugDataType.UInt32 => bits <= uint.MaxValue,
            SparkplugDataType.Int8 => in32 && (bits <= byte.MaxValue || low32 is >= sbyte.MinValue and < 0),
            SparkplugDataType.Int16 => in32 && (bits <= ushort.MaxValue || low32 is >= short.MinValue and < 0),
            SparkplugDataType.Int32 => in32,
            _ => true,
        };
    }

    private SparkplugWriteRequest Refusal(string topic, string? deviceId, string? tagId, CommandRefusalCode code, string reason) =>
        new(_commandSender, topic, deviceId, tagId, TagValue.None, new CommandRefusal(code, reason));

    private void PostRefusal(string topic, string? deviceId, CommandRefusalCode code, string reason) =>
        Post(topic, Refusal(topic, deviceId, null, code, reason));

    private void Post(string topic, SparkplugWriteRequest request)
    {
        if (!_writes!.TryPost(request))
        {
            long dropped = Interlocked.Increment(ref _deviceCommandsDropped);
            if (dropped == 1 || dropped % 1000 == 0)
            {
                SparkplugLog.DeviceCommandsBusy(_logger, Truncate(topic), SparkplugWriteChannel.Capacity, dropped);
            }
        }
    }

    private void CommandsOff(string topic)
    {
        long refused = Interlocked.Increment(ref _deviceCommandsRefused);
        DateTimeOffset now = _time.GetUtcNow();
        if (now >= _commandsOffLogDue)
        {
            _commandsOffLogDue = now + s_commandsOffLogInterval;
            SparkplugLog.DeviceCommandsOff(_logger, Truncate(topic), refused);
        }
    }
}
