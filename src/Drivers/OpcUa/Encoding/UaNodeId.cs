using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// A NodeId (OPC 10000-3 §8.2): namespace index plus a numeric, string, GUID or opaque identifier.
/// Text form as in OPC 10000-6 §5.3.1.10: <c>i=85</c>, <c>ns=1;s=Door1.Open</c>, <c>ns=2;g=…</c>, <c>ns=3;b=base64</c>.
/// </summary>
public readonly struct UaNodeId : IEquatable<UaNodeId>
{
    private readonly object? _identifier;

    private UaNodeId(ushort namespaceIndex, UaNodeIdType type, uint numeric, object? identifier)
    {
        NamespaceIndex = namespaceIndex;
        IdType = type;
        Numeric = numeric;
        _identifier = identifier;
    }

    public static UaNodeId Null => default;

    public ushort NamespaceIndex { get; }

    public UaNodeIdType IdType { get; }

    /// <summary>The numeric identifier; 0 for the other kinds.</summary>
    public uint Numeric { get; }

    public string? StringId => _identifier as string;

    public Guid GuidId => _identifier is Guid g ? g : Guid.Empty;

    public byte[]? OpaqueId => _identifier as byte[];

    /// <summary>True for ns=0;i=0, the null NodeId.</summary>
    public bool IsNull => NamespaceIndex == 0 && IdType == UaNodeIdType.Numeric && Numeric == 0;

    public static UaNodeId FromNumeric(ushort namespaceIndex, uint id) => new(namespaceIndex, UaNodeIdType.Numeric, id, null);

    public static UaNodeId FromString(ushort namespaceIndex, string id) => new(namespaceIndex, UaNodeIdType.String, 0, id ?? throw new ArgumentNullException(nameof(id)));

    public static UaNodeId FromGuid(ushort namespaceIndex, Guid id) => new(namespaceIndex, UaNodeIdType.Guid, 0, id);

    public static UaNodeId FromOpaque(ushort namespaceIndex, byte[] id) => new(namespaceIndex, UaNodeIdType.Opaque, 0, id ?? throw new ArgumentNullException(nameof(id)));

    public static implicit operator UaNodeId(uint ns0Id) => FromNumeric(0, ns0Id);

    /// <summary>The same identifier in namespace <paramref name="namespaceIndex"/>.</summary>
    public UaNodeId WithNamespaceIndex(ushort namespaceIndex) => new(namespaceIndex, IdType, Numeric, _identifier);

    /// <summary>Parses the text form; false with a reason for a technician when it is not one.</summary>
    public static bool TryParse(string? text, out UaNodeId nodeId, [NotNullWhen(false)] out string? error)
    {
        nodeId = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "a node id is empty (write e.g. ns=1;s=Door1.Open or i=2258)";
            return false;
        }

        ReadOnlySpan<char> rest = text.AsSpan().Trim();
        ushort ns = 0;
        if (rest.StartsWith("ns="))
        {
            int semicolon = rest.IndexOf(';');
            if (semicolon < 0 || !ushort.TryParse(rest[3..semicolon], NumberStyles.None, CultureInfo.InvariantCulture, out ns))
            {
                error = $"'{text}' has no valid namespace index (write ns=<0..65535>;…)";
                return false;
            }

            rest = rest[(semicolon + 1)..];
        }

        if (rest.Length < 2 || rest[1] != '=')
        {
            error = $"'{text}' is not a node id (write i=…, s=…, g=… or b=…, optionally after ns=N;)";
            return false;
        }

        ReadOnlySpan<char> id = rest[2..];
        switch (rest[0])
        {
            case 'i':
                if (!uint.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out uint numeric))
                {
                    error = $"'{text}': i= needs a whole number from 0 to 4294967295";
                    return false;
                }

                nodeId = FromNumeric(ns, numeric);
                break;
            case 's':
                nodeId = FromString(ns, id.ToString());
                break;
            case 'g':
                if (!Guid.TryParse(id, out Guid guid))
                {
                    error = $"'{text}': g= needs a GUID such as 72962b91-fa75-4ae6-8d28-b404dc7daf63";
                    return false;
                }

                nodeId = FromGuid(ns, guid);
                break;
            case 'b':
                byte[] bytes = new byte[(id.Length * 3 / 4) + 3];
                if (!Convert.TryFromBase64Chars(id, bytes, out int written))
                {
                    error = $"'{text}': b= needs base64 text";
                    return false;
                }

                nodeId = FromOpaque(ns, bytes.AsSpan(0, written).ToArray());
                break;
            default:
                error = $"'{text}': unknown identifier kind '{rest[0]}' (use i, s, g or b)";
                return false;
        }

        error = null;
        return true;
    }

    public static UaNodeId Parse(string text) =>
        TryParse(text, out UaNodeId nodeId, out string? error) ? nodeId : throw new FormatException(error);

    public bool Equals(UaNodeId other)
    {
        if (NamespaceIndex != other.NamespaceIndex || IdType != other.IdType || Numeric != other.Numeric)
        {
            return false;
        }

        return IdType switch
        {
            UaNodeIdType.Numeric => true,
            UaNodeIdType.String => string.Equals(StringId, other.StringId, StringComparison.Ordinal),
            UaNodeIdType.Guid => GuidId == other.GuidId,
            _ => OpaqueId.AsSpan().SequenceEqual(other.OpaqueId),
        };
    }

    public override bool Equals(object? obj) => obj is UaNodeId other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(NamespaceIndex);
        hash.Add(IdType);
        hash.Add(Numeric);
        switch (_identifier)
        {
            case string s:
                hash.Add(s, StringComparer.Ordinal);
                break;
            case Guid g:
                hash.Add(g);
                break;
            case byte[] b:
                hash.AddBytes(b);
                break;
        }

        return hash.ToHashCode();
    }

    public static bool operator ==(UaNodeId left, UaNodeId right) => left.Equals(right);

    public static bool operator !=(UaNodeId left, UaNodeId right) => !left.Equals(right);

    public override string ToString()
    {
        string prefix = NamespaceIndex == 0 ? string.Empty : "ns=" + NamespaceIndex.ToString(CultureInfo.InvariantCulture) + ";";
        return IdType switch
        {
            UaNodeIdType.Numeric => prefix + "i=" + Numeric.ToString(CultureInfo.InvariantCulture),
            UaNodeIdType.String => prefix + "s=" + StringId,
            UaNodeIdType.Guid => prefix + "g=" + GuidId.ToString("D"),
            _ => prefix + "b=" + Convert.ToBase64String(OpaqueId ?? []),
        };
    }
}
