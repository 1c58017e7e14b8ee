using System.Buffers;
using SmartCity.Edge.Gateway.Audit;

namespace SmartCity.Edge.Gateway.Buffer.Storage;

/// <summary>
/// An <see cref="AuditRecord"/> as the buffer stores it (table <c>audit_records</c>). Format 1:
/// <code>
/// record = format:u8(=1) flags:u8 outcome:u8 ts_ms:zigzag old:value requested:value confirmed:value command:str via:str
///          [who:str] [kid:str] [id:str] [device:str] [tag:str] [code:str] [reason:str] [device_status:str]
/// value  = encoding:u8 payload (as in frames)
/// str    = length:varint utf8
/// flags  = bit 0 who, 1 kid, 2 id, 3 device, 4 tag, 5 code, 6 reason, 7 device_status
/// </code>
/// The seq is the row's; the time is kept to the millisecond, as every upstream format carries it.
/// </summary>
internal static class AuditRecordCodec
{
    public const byte FormatVersion = 1;

    private const string Name = "audit record";

    private const byte HasWho = 1;
    private const byte HasKeyId = 2;
    private const byte HasTokenId = 4;
    private const byte HasDevice = 8;
    private const byte HasTag = 16;
    private const byte HasCode = 32;
    private const byte HasReason = 64;
    private const byte HasDeviceStatus = 128;

    public static byte[] Encode(AuditRecord record)
    {
        var output = new ArrayBufferWriter<byte>(256);
        byte flags = (byte)((record.Who is not null ? HasWho : 0)
            | (record.KeyId is not null ? HasKeyId : 0)
            | (record.TokenId is not null ? HasTokenId : 0)
            | (record.DeviceId is not null ? HasDevice : 0)
            | (record.TagId is not null ? HasTag : 0)
            | (record.Code is not null ? HasCode : 0)
            | (record.Reason is not null ? HasReason : 0)
            | (record.DeviceStatus is not null ? HasDeviceStatus : 0));
        Span<byte> head = output.GetSpan(3);
        head[0] = FormatVersion;
        head[1] = flags;
        head[2] = (byte)record.Outcome;
        output.Advance(3);
        StoredFieldWriter.WriteTime(output, record.Timestamp);
        StoredFieldWriter.WriteValue(output, record.Old);
        StoredFieldWriter.WriteValue(output, record.Requested);
        StoredFieldWriter.WriteValue(output, record.Confirmed);
        StoredFieldWriter.WriteString(output, record.Command);
        StoredFieldWriter.WriteString(output, record.Via);
        StoredFieldWriter.WriteOptional(output, record.Who);
        StoredFieldWriter.WriteOptional(output, record.KeyId);
        StoredFieldWriter.WriteOptional(output, record.TokenId);
        StoredFieldWriter.WriteOptional(output, record.DeviceId);
        StoredFieldWriter.WriteOptional(output, record.TagId);
        StoredFieldWriter.WriteOptional(output, record.Code);
        StoredFieldWriter.WriteOptional(output, record.Reason);
        StoredFieldWriter.WriteOptional(output, record.DeviceStatus);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Decodes a stored record (its <see cref="AuditRecord.Seq"/> is the caller's); throws <see cref="StoredFormatException"/> when the bytes are damaged.</summary>
    public static AuditRecord Decode(ReadOnlySpan<byte> body, long seq)
    {
        var reader = new StoredFieldReader(body, Name);
        if (reader.Byte() != FormatVersion)
        {
            throw reader.Damaged("unknown format");
        }

        byte flags = reader.Byte();
        byte outcome = reader.Byte();
        if (outcome > (byte)AuditOutcome.Interrupted)
        {
            throw reader.Damaged($"outcome {outcome}");
        }

        DateTimeOffset timestamp = reader.Time();
        Drivers.TagValue old = reader.Value();
        Drivers.TagValue requested = reader.Value();
        Drivers.TagValue confirmed = reader.Value();
        string command = reader.String();
        string via = reader.String();
        string? who = reader.Optional((flags & HasWho) != 0);
        string? keyId = reader.Optional((flags & HasKeyId) != 0);
        string? tokenId = reader.Optional((flags & HasTokenId) != 0);
        string? device = reader.Optional((flags & HasDevice) != 0);
        string? tag = reader.Optional((flags & HasTag) != 0);
        string? code = reader.Optional((flags & HasCode) != 0);
        string? reason = reader.Optional((flags & HasReason) != 0);
        string? deviceStatus = reader.Optional((flags & HasDeviceStatus) != 0);
        if (!reader.AtEnd)
        {
            throw reader.Damaged("trailing data");
        }

        return new AuditRecord(command, via, who, keyId, tokenId, device, tag, old, requested, confirmed, (AuditOutcome)outcome, code, reason, timestamp)
        {
            DeviceStatus = deviceStatus,
            Seq = seq,
        };
    }
}
