namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// A device's SNMPv3 user as configured (public properties, so a reload sees a changed password). Secrets never appear
/// in <see cref="ToString"/>. <see cref="CreateUser"/> builds the USM user that derives the keys.
/// </summary>
internal sealed record SnmpV3Credentials(string User, SnmpAuthProtocol Auth, string AuthPassword, SnmpPrivProtocol Priv, string? PrivPassword)
{
    public UsmUser CreateUser() => new(User, Auth, AuthPassword, Priv, PrivPassword);

    public override string ToString() => $"SnmpV3Credentials {{ User = {User}, Auth = {Auth}, Priv = {Priv} }}";
}
