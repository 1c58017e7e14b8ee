namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>A user's keys localized to one authoritative engine (RFC 3414 §2.6).</summary>
internal sealed record UsmLocalizedKeys(byte[] AuthKey, byte[] PrivKey)
{
    public override string ToString() => "UsmLocalizedKeys { (secret) }";
}
