namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>USM privacy protocols: AES-128 CFB (RFC 3826); CBC-DES (RFC 3414 §8) only for old equipment.</summary>
public enum SnmpPrivProtocol
{
    None,
    Des,
    Aes128,
}
