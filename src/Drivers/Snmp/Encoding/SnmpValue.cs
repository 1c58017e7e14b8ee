using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// A varbind's value without boxing: numbers in one 64-bit slot, octets and OIDs in a reference. Unsigned types keep
/// their exact width (Counter64 up to 2^64−1 is never squeezed through a long).
/// </summary>
public readonly struct SnmpValue : IEquatable<SnmpValue>
{
    private readonly ulong _bits;
    private readonly object? _reference;

    private SnmpValue(SnmpType type, ulong bits, object? reference)
    {
        Type = type;
        _bits = bits;
        _reference = reference;
    }

    public SnmpType Type { get; }

    public static SnmpValue Null { get; } = new(SnmpType.Null, 0, null);

    /// <summary>True for noSuchObject, noSuchInstance and endOfMibView (RFC 3416 §3).</summary>
    public bool IsException => Type is SnmpType.NoSuchObject or SnmpType.NoSuchInstance or SnmpType.EndOfMibView;

    public static SnmpValue Integer(long value) => new(SnmpType.Integer32, unchecked((ulong)value), null);

    public static SnmpValue Counter32(uint value) => new(SnmpType.Counter32, value, null);

    public static SnmpValue Gauge32(uint value) => new(SnmpType.Gauge32, value, null);

    public static SnmpValue TimeTicks(uint value) => new(SnmpType.TimeTicks, value, null);

    public static SnmpValue Counter64(ulong value) => new(SnmpType.Counter64, value, null);

    public static SnmpValue OctetString(byte[] value) => new(SnmpType.OctetString, 0, value);

    public static SnmpValue OctetString(string text) => new(SnmpType.OctetString, 0, Encoding.UTF8.GetBytes(text));

    public static SnmpValue Opaque(byte[] value) => new(SnmpType.Opaque, 0, value);

    public static SnmpValue IpAddress(byte[] fourOctets) =>
        fourOctets.Length == 4 ? new(SnmpType.IpAddress, 0, fourOctets) : throw new ArgumentException("an IpAddress has 4 octets", nameof(fourOctets));

    public static SnmpValue ObjectIdentifier(SnmpOid oid) => new(SnmpType.ObjectIdentifier, 0, oid.IsEmpty ? null : oid);

    public static SnmpValue Float(float value) => new(SnmpType.OpaqueFloat, BitConverter.DoubleToUInt64Bits(value), null);

    public static SnmpValue Double(double value) => new(SnmpType.OpaqueDouble, BitConverter.DoubleToUInt64Bits(value), null);

    public static SnmpValue Exception(SnmpType type) => new(type, 0, null);

    /// <summary>A value that could not be decoded; <paramref name="tag"/> is the tag that carried it, <paramref name="reason"/> why.</summary>
    public static SnmpValue Malformed(byte tag, string reason) => new(SnmpType.Malformed, tag, reason);

    /// <summary>Integer32 as signed; unsigned types as their value.</summary>
    public long AsInt64() => unchecked((long)_bits);

    public ulong AsUInt64() => _bits;

    public double AsDouble() => Type switch
    {
        SnmpType.Integer32 => AsInt64(),
        SnmpType.OpaqueFloat or SnmpType.OpaqueDouble => BitConverter.UInt64BitsToDouble(_bits),
        _ => _bits,
    };

    public bool IsNumeric => Type is SnmpType.Integer32 or SnmpType.Counter32 or SnmpType.Gauge32 or SnmpType.TimeTicks
        or SnmpType.Counter64 or SnmpType.OpaqueFloat or SnmpType.OpaqueDouble;

    /// <summary>Octets of an OctetString, IpAddress or Opaque; empty otherwise.</summary>
    public ReadOnlySpan<byte> Octets => _reference as byte[];

    public SnmpOid AsOid() => _reference is SnmpOid oid ? oid : default;

    /// <summary>Why a <see cref="SnmpType.Malformed"/> value was rejected.</summary>
    public string? MalformedReason => Type == SnmpType.Malformed ? _reference as string : null;

    /// <summary>The type name as net-snmp prints it (INTEGER, STRING, Counter32, Gauge32, Timeticks, …).</summary>
    public string TypeName => Type switch
    {
        SnmpType.Integer32 => "INTEGER",
        SnmpType.OctetString => "STRING",
        SnmpType.Null => "NULL",
        SnmpType.ObjectIdentifier => "OID",
        SnmpType.IpAddress => "IpAddress",
        SnmpType.Counter32 => "Counter32",
        SnmpType.Gauge32 => "Gauge32",
        SnmpType.TimeTicks => "Timeticks",
        SnmpType.Opaque => "OPAQUE",
        SnmpType.Counter64 => "Counter64",
        SnmpType.OpaqueFloat => "Opaque: Float",
        SnmpType.OpaqueDouble => "Opaque: Double",
        SnmpType.NoSuchObject => "noSuchObject",
        SnmpType.NoSuchInstance => "noSuchInstance",
        SnmpType.EndOfMibView => "endOfMibView",
        _ => "malformed",
    };

    /// <summary>True when every octet is printable text (UTF-8 without control characters other than tab and line breaks).</summary>
    public static bool IsPrintable(ReadOnlySpan<byte> octets)
    {
        if (!System.Text.Unicode.Utf8.IsValid(octets))
        {
            return false;
        }

        // A trailing NUL is common in DisplayStrings from C agents: still text.
        if (!octets.IsEmpty && octets[^1] == 0)
        {
            octets = octets[..^1];
        }

        foreach (byte b in octets)
        {
            if ((b < 0x20 && b is not (byte)'\t' and not (byte)'\r' and not (byte)'\n') || b == 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Octets as text (a trailing NUL dropped).</summary>
    public static string ToText(ReadOnlySpan<byte> octets) =>
        Encoding.UTF8.GetString(!octets.IsEmpty && octets[^1] == 0 ? octets[..^1] : octets);

    /// <summary>Octets as upper-case hex pairs separated by spaces (<c>00 1A 2B</c>).</summary>
    public static string ToHex(ReadOnlySpan<byte> octets, char separator = ' ')
    {
        if (octets.IsEmpty)
        {
            return string.Empty;
        }

        var text = new StringBuilder((octets.Length * 3) - 1);
        for (int i = 0; i < octets.Length; i++)
        {
            if (i > 0 && separator != '\0')
            {
                text.Append(separator);
            }

            text.Append(octets[i].ToString("X2", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    /// <summary>The value without its type, e.g. <c>42</c>, <c>"text"</c> shown as text, <c>10.0.0.5</c>, <c>1.3.6.1…</c>.</summary>
    public string ValueText() => Type switch
    {
        SnmpType.Integer32 => AsInt64().ToString(CultureInfo.InvariantCulture),
        SnmpType.Counter32 or SnmpType.Gauge32 or SnmpType.TimeTicks or SnmpType.Counter64 => _bits.ToString(CultureInfo.InvariantCulture),
        SnmpType.OctetString => IsPrintable(Octets) ? ToText(Octets) : ToHex(Octets),
        SnmpType.Opaque => ToHex(Octets),
        SnmpType.IpAddress => string.Join('.', Octets.ToArray()),
        SnmpType.ObjectIdentifier => AsOid().ToString(),
        SnmpType.OpaqueFloat or SnmpType.OpaqueDouble => AsDouble().ToString("R", CultureInfo.InvariantCulture),
        SnmpType.Malformed => MalformedReason ?? "malformed",
        _ => TypeName,
    };

    /// <summary>As net-snmp's snmpget prints a value with <c>-On</c>: <c>Timeticks: (12345) 0:02:03.45</c>, <c>STRING: "x"</c>, <c>Hex-STRING: 00 0A</c>.</summary>
    public override string ToString() => Type switch
    {
        SnmpType.OctetString when !IsPrintable(Octets) => "Hex-STRING: " + ToHex(Octets),
        SnmpType.OctetString => "STRING: \"" + ToText(Octets) + "\"",
        SnmpType.ObjectIdentifier => "OID: ." + AsOid(),
        SnmpType.TimeTicks => string.Create(CultureInfo.InvariantCulture, $"Timeticks: ({_bits}) {FormatTicks(_bits)}"),
        SnmpType.Null => "NULL",
        SnmpType.NoSuchObject => "No Such Object available on this agent at this OID",
        SnmpType.NoSuchInstance => "No Such Instance currently exists at this OID",
        SnmpType.EndOfMibView => "No more variables left in this MIB View (It is past the end of the MIB tree)",
        _ => TypeName + ": " + ValueText(),
    };

    public bool Equals(SnmpValue other) =>
        Type == other.Type && _bits == other._bits && (_reference, other._reference) switch
        {
            (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
            (SnmpOid a, SnmpOid b) => a == b,
            (var a, var b) => Equals(a, b),
        };

    public override bool Equals(object? obj) => obj is SnmpValue other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Type, _bits);

    public static bool operator ==(SnmpValue left, SnmpValue right) => left.Equals(right);

    public static bool operator !=(SnmpValue left, SnmpValue right) => !left.Equals(right);

    /// <summary>net-snmp's d:hh:mm:ss.cc form of TimeTicks.</summary>
    private static string FormatTicks(ulong ticks)
    {
        ulong cs = ticks % 100;
        ulong seconds = ticks / 100;
        ulong days = seconds / 86400;
        ulong hours = seconds / 3600 % 24;
        ulong minutes = seconds / 60 % 60;
        ulong secs = seconds % 60;
        string time = string.Create(CultureInfo.InvariantCulture, $"{hours}:{minutes:D2}:{secs:D2}.{cs:D2}");
        return days == 0 ? time : string.Create(CultureInfo.InvariantCulture, $"{days} day{(days == 1 ? string.Empty : "s")}, {time}");
    }

    /// <summary>Reads a float or double wrapped in an Opaque (net-snmp's opaque special types); false for plain octets.</summary>
    internal static bool TryReadOpaqueFloat(ReadOnlySpan<byte> content, out SnmpValue value)
    {
        value = default;
        if (content.Length == 7 && content[0] == 0x9F && content[1] == 0x78 && content[2] == 4)
        {
            value = Float(BinaryPrimitives.ReadSingleBigEndian(content[3..]));
            return true;
        }

        if (content.Length == 11 && content[0] == 0x9F && content[1] == 0x79 && content[2] == 8)
        {
            value = Double(BinaryPrimitives.ReadDoubleBigEndian(content[3..]));
            return true;
        }

        return false;
    }
}
