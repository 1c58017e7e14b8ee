namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// The one-byte BER tags SNMP uses (X.690 §8.1.2, RFC 2578 §7.1, RFC 3416 §3). Only SEQUENCE and the PDUs are
/// constructed; every other type is primitive. Multi-byte tags never occur in SNMP and are rejected.
/// </summary>
internal static class BerTag
{
    public const byte Integer = 0x02;
    public const byte OctetString = 0x04;
    public const byte Null = 0x05;
    public const byte ObjectIdentifier = 0x06;
    public const byte Sequence = 0x30;

    // SMIv2 application types (RFC 2578 §7.1.5–7.1.10).
    public const byte IpAddress = 0x40;
    public const byte Counter32 = 0x41;
    public const byte Gauge32 = 0x42;
    public const byte TimeTicks = 0x43;
    public const byte Opaque = 0x44;
    public const byte Counter64 = 0x46;

    // Exceptions in a varbind's value (RFC 3416 §3): v2c/v3 only.
    public const byte NoSuchObject = 0x80;
    public const byte NoSuchInstance = 0x81;
    public const byte EndOfMibView = 0x82;
}
