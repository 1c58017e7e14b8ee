using System.Buffers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Buffer.Storage;

/// <summary>
/// An <see cref="AlarmRecord"/> as the buffer stores it (table <c>alarm_records</c>). Format 1:
/// <code>
/// record = format:u8(=1) flags:u8 more_flags:u8 state:u8 previous:u8 severity:u8 ts_ms:zigzag value_encoding:u8 value
///          alarm:str device:str message:str [tag:str] [unit:str] [reason:str]
///          [ack_by:str [ack_comment:str] ack_ts_ms:zigzag] [condition_id:str condition_source:str condition_severity:zigzag]
///          [suppressed:varint] [occurrence:varint] [ack_key:str]
/// str    = length:varint utf8
/// flags  = bit 0 tag, 1 unit, 2 reason, 3 retired, 4 ack, 5 ack comment, 6 condition, 7 suppressed
/// more_flags = bit 0 occurrence, 1 ack key; the other bits 0
/// </code>
/// </summary>
internal static class AlarmRecordCodec
{
    public const byte FormatVersion = 1;

    private const byte HasTag = 1;
    private const byte HasUnit = 2;
    private const byte HasReason = 4;
    private const byte IsRetired = 8;
    private const byte HasAck = 16;
    private const byte HasAckComment = 32;
    private const byte HasCondition = 64;
    private const byte HasSuppressed = 128;
    private const byte HasOccurrence = 1;
    private const byte HasAckKey = 2;

    public static byte[] Encode(AlarmRecord record)
    {
        var output = new ArrayBufferWriter<byte>(256);
        byte flags = (byte)((record.TagId is not null ? HasTag : 0)
            | (record.Unit is not null ? HasUnit : 0)
            | (record.Reason is not null ? HasReason : 0)
            | (record.Retired ? IsRetired : 0)
            | (record.Acknowledgement is not null ? HasAck : 0)
            | (record.Acknowledgement?.Comment is not null ? HasAckComment : 0)
            | (record.Condition is not null ? HasCondition : 0)
            | (record.Suppressed > 0 ? HasSuppressed : 0));
        byte moreFlags = (byte)((record.Occurrence > 0 ? HasOccurrence : 0)
            | (record.Acknowledgement?.Key is not null ? HasAckKey : 0));
        Span<byte> head = output.GetSpan(7 + (2 * VarInt.MaxLength) + StoredValueCodec.MaxLength(record.Value));
        int position = 0;
        head[position++] = FormatVersion;
        head[position++] = flags;
        head[position++] = moreFlags;
        head[position++] = (byte)record.State;
        head[position++] = (byte)record.Previous;
        head[position++] = (byte)record.Severity;
        VarInt.Write(head, ref position, VarInt.ZigZag(FrameBodyWriter.ToUnixMilliseconds(record.Timestamp.UtcTicks)));
        int encodingAt = position++;
        head[encodingAt] = (byte)StoredValueCodec.Write(head, ref position, record.Value);
        output.Advance(position);

        StoredFieldWriter.WriteString(output, record.AlarmId);
        StoredFieldWriter.WriteString(output, record.DeviceId);
        StoredFieldWriter.WriteString(output, record.Message);
        StoredFieldWriter.WriteOptional(output, record.TagId);
        StoredFieldWriter.WriteOptional(output, record.Unit);
        StoredFieldWriter.WriteOptional(output, record.Reason);
        if (record.Acknowledgement is { } ack)
        {
            StoredFieldWriter.WriteString(output, ack.By);
            StoredFieldWriter.WriteOptional(output, ack.Comment);
            StoredFieldWriter.WriteTime(output, ack.At);
        }

        if (record.Condition is { } condition)
        {
            StoredFieldWriter.WriteString(output, condition.ConditionId);
            StoredFieldWriter.WriteString(output, condition.SourceName);
            StoredFieldWriter.WriteNumber(output, VarInt.ZigZag(condition.DeviceSeverity));
        }

        if (record.Suppressed > 0)
        {
            StoredFieldWriter.WriteNumber(output, (ulong)record.Suppressed);
        }

        if (record.Occurrence > 0)
        {
            StoredFieldWriter.WriteNumber(output, (ulong)record.Occurrence);
        }

        StoredFieldWriter.WriteOptional(output, record.Acknowledgement?.Key);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Decodes a stored record; throws <see cref="StoredFormatException"/> when the bytes are damaged.</summary>
    public static AlarmRecord Decode(ReadOnlySpan<byte> body)
    {
        var reader = new StoredFieldReader(body, "alarm record");
        if (reader.Byte() != FormatVersion)
        {
            throw reader.Damaged("unknown format");
        }

        byte flags = reader.Byte();
        byte moreFlags = reader.Byte();
        if ((moreFlags & ~(HasOccurrence | HasAckKey)) != 0 || ((moreFlags & HasAckKey) != 0 && (flags & HasAck) == 0))
        {
            throw reader.Damaged("unknown flags");
        }

        AlarmLifecycle state = State(ref reader);
        AlarmLifecycle previous = State(ref reader);
        byte severity = reader.Byte();
        if (severity > (byte)AlarmSeverity.Critical)
        {
            throw reader.Damaged($"severity {severity}");
        }

        DateTimeOffset timestamp = reader.Time();
        Drivers.TagValue value = reader.Value();

        string alarmId = reader.String();
        string deviceId = reader.String();
        string message = reader.String();
        string? tag = (flags & HasTag) != 0 ? reader.String() : null;
        string? unit = (flags & HasUnit) != 0 ? reader.String() : null;
        string? reason = (flags & HasReason) != 0 ? reader.String() : null;
        AlarmAcknowledgement? ack = (flags & HasAck) != 0
            ? new AlarmAcknowledgement(reader.String(), (flags & HasAckComment) != 0 ? reader.String() : null, reader.Time())
            : null;
        DeviceAlarmOrigin? condition = null;
        if ((flags & HasCondition) != 0)
        {
            string id = reader.String();
            string source = reader.String();
            long conditionSeverity = VarInt.UnZigZag(reader.Number());
            condition = new DeviceAlarmOrigin(id, source, conditionSeverity is >= int.MinValue and <= int.MaxValue ? (int)conditionSeverity : throw reader.Damaged("condition severity"));
        }

        ulong suppressed = (flags & HasSuppressed) != 0 ? reader.Number() : 0;
        ulong occurrence = (moreFlags & HasOccurrence) != 0 ? reader.Number() : 0;
        if (ack is not null && (moreFlags & HasAckKey) != 0)
        {
            ack = ack with { Key = reader.String() };
        }

        if (suppressed > int.MaxValue || occurrence > long.MaxValue || !reader.AtEnd)
        {
            throw reader.Damaged("trailing or out-of-range data");
        }

        return new AlarmRecord(alarmId, state, previous, (AlarmSeverity)severity, deviceId, tag, value, message, timestamp, unit, reason,
            (flags & IsRetired) != 0, ack, condition, (int)suppressed, (long)occurrence);
    }

    private static AlarmLifecycle State(ref StoredFieldReader reader)
    {
        byte state = reader.Byte();
        return state <= (byte)AlarmLifecycle.UnacknowledgedCleared ? (AlarmLifecycle)state : throw reader.Damaged($"state {state}");
    }
}
