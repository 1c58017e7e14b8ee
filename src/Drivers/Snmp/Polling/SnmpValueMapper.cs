namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// An SNMP value as the gateway's <see cref="TagValue"/>: Integer32 → int64; Counter32, Gauge32 (Unsigned32),
/// TimeTicks, Counter64 → uint64 (exact, no double rounding below 2^53 and none at all unscaled); OCTET STRING → text
/// or hex per <c>format:</c>; IpAddress and OID → dotted text (an OID named by a profile → its name); Opaque float/double
/// → double. A scaled number becomes a double.
/// </summary>
internal static class SnmpValueMapper
{
    public static TagValue Map(SnmpValue value, SnmpTagSettings tag)
    {
        switch (value.Type)
        {
            case SnmpType.Integer32:
                return tag.IsScaled ? TagValue.FromDouble((value.AsInt64() * tag.Scale) + tag.Offset) : TagValue.FromInt64(value.AsInt64());
            case SnmpType.Counter32 or SnmpType.Gauge32 or SnmpType.TimeTicks or SnmpType.Counter64:
                return tag.IsScaled ? TagValue.FromDouble((value.AsUInt64() * tag.Scale) + tag.Offset) : TagValue.FromUInt64(value.AsUInt64());
            case SnmpType.OpaqueFloat or SnmpType.OpaqueDouble:
                return TagValue.FromDouble((value.AsDouble() * tag.Scale) + tag.Offset);
            case SnmpType.OctetString:
                return TagValue.FromString(tag.Format switch
                {
                    SnmpValueFormat.Hex => SnmpValue.ToHex(value.Octets),
                    SnmpValueFormat.Text => SnmpValue.ToText(value.Octets),
                    _ => value.ValueText(),
                });
            case SnmpType.ObjectIdentifier when tag.OidNames is { } names && names.TryGetValue(value.AsOid(), out string? name):
                return TagValue.FromString(name);
            default:
                return TagValue.FromString(value.ValueText());
        }
    }
}
