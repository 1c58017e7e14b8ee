namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>USM authentication protocols (RFC 3414 §6–7, RFC 7860 §4); HMAC-MD5 only for old equipment.</summary>
public enum SnmpAuthProtocol
{
    None,
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}
