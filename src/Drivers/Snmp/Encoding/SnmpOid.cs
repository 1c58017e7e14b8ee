using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// An OBJECT IDENTIFIER as its arcs (uint32 each, at most 128: RFC 2578 §7.1.3). Compared arc by arc as numbers, never
/// as text (<c>1.3.6.1.10</c> follows <c>1.3.6.1.9</c>). Immutable; the arcs array is never handed out.
/// </summary>
public readonly struct SnmpOid : IEquatable<SnmpOid>, IComparable<SnmpOid>
{
    /// <summary>RFC 2578 §7.1.3: at most 128 sub-identifiers.</summary>
    public const int MaxArcs = 128;

    private readonly uint[]? _arcs;

    /// <summary>Wraps <paramref name="arcs"/> without copying: the caller hands over ownership.</summary>
    internal SnmpOid(uint[] arcs) => _arcs = arcs;

    public int Length => _arcs?.Length ?? 0;

    public bool IsEmpty => Length == 0;

    public ReadOnlySpan<uint> Arcs => _arcs;

    public uint this[int index] => _arcs![index];

    /// <summary>Copies <paramref name="arcs"/>; throws for more than <see cref="MaxArcs"/>.</summary>
    public static SnmpOid FromArcs(ReadOnlySpan<uint> arcs)
    {
        if (arcs.Length > MaxArcs)
        {
            throw new ArgumentException($"an OID has at most {MaxArcs} arcs", nameof(arcs));
        }

        return new SnmpOid(arcs.ToArray());
    }

    /// <summary>Parses dotted numbers (<c>1.3.6.1.2.1.1.3.0</c>, a leading dot allowed). Needs at least two arcs, the first 0–2.</summary>
    public static bool TryParse(string? text, out SnmpOid oid, [NotNullWhen(false)] out string? error)
    {
        oid = default;
        ReadOnlySpan<char> span = (text ?? string.Empty).AsSpan().Trim();
        if (span.StartsWith('.'))
        {
            span = span[1..];
        }

        if (span.IsEmpty)
        {
            error = "is empty; write a numeric OID such as 1.3.6.1.2.1.1.3.0";
            return false;
        }

        Span<uint> arcs = stackalloc uint[MaxArcs];
        int count = 0;
        foreach (Range range in span.Split('.'))
        {
            ReadOnlySpan<char> part = span[range];
            if (count == MaxArcs)
            {
                error = $"'{text}' has more than {MaxArcs} arcs";
                return false;
            }

            if (part.IsEmpty || !uint.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out uint arc))
            {
                error = $"'{text}' is not a numeric OID (dotted numbers 0..4294967295 such as 1.3.6.1.2.1.1.3.0; MIB names are not resolved)";
                return false;
            }

            arcs[count++] = arc;
        }

        if (count < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40) || (arcs[0] == 2 && arcs[1] > uint.MaxValue - 80))
        {
            error = $"'{text}' is not a valid OID: it needs at least two arcs, the first 0, 1 or 2 (and the second below 40 unless the first is 2)";
            return false;
        }

        oid = new SnmpOid(arcs[..count].ToArray());
        error = null;
        return true;
    }

    /// <summary>Parses or throws <see cref="FormatException"/>; for constants in code.</summary>
    public static SnmpOid Parse(string text) =>
        TryParse(text, out SnmpOid oid, out string? error) ? oid : throw new FormatException($"OID {error}");

    /// <summary>This OID followed by <paramref name="suffix"/>.</summary>
    public SnmpOid Append(params ReadOnlySpan<uint> suffix)
    {
        var arcs = new uint[Length + suffix.Length];
        Arcs.CopyTo(arcs);
        suffix.CopyTo(arcs.AsSpan(Length));
        return new SnmpOid(arcs);
    }

    /// <summary>True when this OID lies in the subtree of <paramref name="prefix"/> (or equals it).</summary>
    public bool StartsWith(SnmpOid prefix) => Arcs.StartsWith(prefix.Arcs);

    /// <summary>True when this OID lies strictly below <paramref name="prefix"/>.</summary>
    public bool IsBelow(SnmpOid prefix) => Length > prefix.Length && StartsWith(prefix);

    /// <summary>The arcs after <paramref name="prefix"/> as dotted text (a table row index): <c>1</c>, <c>10.0.0.5</c>.</summary>
    public string SuffixAfter(SnmpOid prefix) => Format(Arcs[prefix.Length..]);

    public int CompareTo(SnmpOid other) => Arcs.SequenceCompareTo(other.Arcs);

    public bool Equals(SnmpOid other) => Arcs.SequenceEqual(other.Arcs);

    public override bool Equals(object? obj) => obj is SnmpOid other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (uint arc in Arcs)
        {
            hash.Add(arc);
        }

        return hash.ToHashCode();
    }

    public static bool operator ==(SnmpOid left, SnmpOid right) => left.Equals(right);

    public static bool operator !=(SnmpOid left, SnmpOid right) => !left.Equals(right);

    public static bool operator <(SnmpOid left, SnmpOid right) => left.CompareTo(right) < 0;

    public static bool operator >(SnmpOid left, SnmpOid right) => left.CompareTo(right) > 0;

    public static bool operator <=(SnmpOid left, SnmpOid right) => left.CompareTo(right) <= 0;

    public static bool operator >=(SnmpOid left, SnmpOid right) => left.CompareTo(right) >= 0;

    public override string ToString() => Format(Arcs);

    private static string Format(ReadOnlySpan<uint> arcs)
    {
        var text = new StringBuilder(arcs.Length * 3);
        for (int i = 0; i < arcs.Length; i++)
        {
            if (i > 0)
            {
                text.Append('.');
            }

            text.Append(arcs[i].ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }
}
