namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>The type of a varbind's value: its BER tag (RFC 2578 §7.1, RFC 3416 §3), plus three decoded-only kinds.</summary>
public enum SnmpType : byte
{
    Integer32 = BerTag.Integer,
    OctetString = BerTag.OctetString,
    Null = BerTag.Null,
    ObjectIdentifier = BerTag.ObjectIdentifier,
    IpAddress = BerTag.IpAddress,
    Counter32 = BerTag.Counter32,

    /// <summary>Gauge32, also Unsigned32 (same tag, RFC 2578 §7.1.11).</summary>
    Gauge32 = BerTag.Gauge32,
    TimeTicks = BerTag.TimeTicks,
    Opaque = BerTag.Opaque,
    Counter64 = BerTag.Counter64,
    NoSuchObject = BerTag.NoSuchObject,
    NoSuchInstance = BerTag.NoSuchInstance,
    EndOfMibView = BerTag.EndOfMibView,

    /// <summary>An Opaque wrapping a float (<c>44 07 9F 78 04 …</c>), as some UPS and NAS agents send.</summary>
    OpaqueFloat = 0x78,

    /// <summary>An Opaque wrapping a double (<c>9F 79 08 …</c>).</summary>
    OpaqueDouble = 0x79,

    /// <summary>A value whose encoding was wrong (over-long integer, IpAddress not 4 octets, unknown tag): only that varbind is flagged.</summary>
    Malformed = 0xFF,
}
