namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>How an OCTET STRING tag is published (<c>format:</c>).</summary>
internal enum SnmpValueFormat
{
    /// <summary>Text when every octet is printable, else hex (net-snmp's STRING / Hex-STRING choice).</summary>
    Auto,
    Text,

    /// <summary>Upper-case hex pairs with spaces: MAC addresses, serial numbers, BITS.</summary>
    Hex,
}
