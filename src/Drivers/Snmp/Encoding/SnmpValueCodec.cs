namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// A varbind's value ↔ BER (RFC 2578 §7.1, RFC 3416 §3, snmp-notes §1). Decoding never throws for a bad value: an
/// over-long integer, an IpAddress that is not 4 octets or an unknown tag becomes <see cref="SnmpType.Malformed"/> for
/// that varbind only, and the rest of the PDU is kept (one bad varbind must not hide the others).
/// </summary>
internal static class SnmpValueCodec
{
    /// <summary>Longest OCTET STRING value we keep (RFC 2578 §7.1.2 allows 65535).</summary>
    public const int MaxOctets = 65535;

    public static void Write(ref BerWriter writer, SnmpValue value)
    {
        switch (value.Type)
        {
            case SnmpType.Integer32:
                writer.WriteInteger(value.AsInt64());
                break;
            case SnmpType.Counter32 or SnmpType.Gauge32 or SnmpType.TimeTicks or SnmpType.Counter64:
                writer.WriteUnsigned(value.AsUInt64(), (byte)value.Type);
                break;
            case SnmpType.OctetString or SnmpType.IpAddress or SnmpType.Opaque:
                writer.WriteOctetString(value.Octets, (byte)value.Type);
                break;
            case SnmpType.ObjectIdentifier:
                writer.WriteOid(value.AsOid());
                break;
            case SnmpType.Null or SnmpType.NoSuchObject or SnmpType.NoSuchInstance or SnmpType.EndOfMibView:
                writer.WriteNull((byte)value.Type);
                break;
            case SnmpType.OpaqueFloat:
            {
                Span<byte> inner = stackalloc byte[7];
                inner[0] = 0x9F;
                inner[1] = 0x78;
                inner[2] = 4;
                System.Buffers.Binary.BinaryPrimitives.WriteSingleBigEndian(inner[3..], (float)value.AsDouble());
                writer.WriteOctetString(inner, BerTag.Opaque);
                break;
            }

            case SnmpType.OpaqueDouble:
            {
                Span<byte> inner = stackalloc byte[11];
                inner[0] = 0x9F;
                inner[1] = 0x79;
                inner[2] = 8;
                System.Buffers.Binary.BinaryPrimitives.WriteDoubleBigEndian(inner[3..], value.AsDouble());
                writer.WriteOctetString(inner, BerTag.Opaque);
                break;
            }

            default:
                throw new SnmpException($"cannot encode a {value.Type} value", "protocol");
        }
    }

    public static SnmpValue Read(byte tag, ReadOnlySpan<byte> content)
    {
        switch (tag)
        {
            case BerTag.Integer:
                return BerInteger.TryReadSigned(content, out long signed) && signed is >= int.MinValue and <= int.MaxValue
                    ? SnmpValue.Integer(signed)
                    : SnmpValue.Malformed(tag, $"INTEGER of {content.Length} octets is outside Integer32");
            case BerTag.Counter32:
            case BerTag.Gauge32:
            case BerTag.TimeTicks:
                return BerInteger.TryReadUnsigned(content, 4, out ulong value32)
                    ? tag switch
                    {
                        BerTag.Counter32 => SnmpValue.Counter32((uint)value32),
                        BerTag.Gauge32 => SnmpValue.Gauge32((uint)value32),
                        _ => SnmpValue.TimeTicks((uint)value32),
                    }
                    : SnmpValue.Malformed(tag, $"32-bit unsigned value of {content.Length} octets");
            case BerTag.Counter64:
                return BerInteger.TryReadUnsigned(content, 8, out ulong value64)
                    ? SnmpValue.Counter64(value64)
                    : SnmpValue.Malformed(tag, $"Counter64 of {content.Length} octets");
            case BerTag.OctetString:
                return SnmpValue.OctetString(content.ToArray());
            case BerTag.IpAddress:
                return content.Length == 4 ? SnmpValue.IpAddress(content.ToArray()) : SnmpValue.Malformed(tag, $"IpAddress of {content.Length} octets, not 4");
            case BerTag.Opaque:
                return SnmpValue.TryReadOpaqueFloat(content, out SnmpValue floating) ? floating : SnmpValue.Opaque(content.ToArray());
            case BerTag.ObjectIdentifier:
                Span<uint> arcs = stackalloc uint[SnmpOid.MaxArcs];
                return BerOid.TryReadContent(content, arcs, out int count, out string? error)
                    ? SnmpValue.ObjectIdentifier(SnmpOid.FromArcs(arcs[..count]))
                    : SnmpValue.Malformed(tag, error!);
            case BerTag.Null:
                return SnmpValue.Null;
            case BerTag.NoSuchObject:
            case BerTag.NoSuchInstance:
            case BerTag.EndOfMibView:
                return SnmpValue.Exception((SnmpType)tag);
            default:
                return SnmpValue.Malformed(tag, $"unknown value tag 0x{tag:X2}");
        }
    }
}
