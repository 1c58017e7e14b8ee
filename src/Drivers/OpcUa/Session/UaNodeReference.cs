using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// A node as configured: either a plain NodeId (<c>ns=2;s=Level</c>, bound to the namespace index) or one in a
/// namespace named by its URI (<c>nsu=urn:park:meters;s=Level</c>, OPC 10000-6 §5.3.1.11). Namespace indexes are
/// the server's own numbering and may change when it restarts (OPC 10000-3 §8.2.2: clients keep URIs, not indexes),
/// so a URI is looked up in the NamespaceArray of every session the client creates, never remembered as an index.
/// </summary>
public readonly record struct UaNodeReference(UaNodeId NodeId, string? NamespaceUri = null)
{
    /// <summary>The NodeId on a server whose NamespaceArray is <paramref name="namespaceUris"/>; false when it lacks the URI.</summary>
    public bool TryResolve(IReadOnlyList<string> namespaceUris, out UaNodeId nodeId)
    {
        if (NamespaceUri is null)
        {
            nodeId = NodeId;
            return true;
        }

        for (int index = 0; index < namespaceUris.Count && index <= ushort.MaxValue; index++)
        {
            if (string.Equals(namespaceUris[index], NamespaceUri, StringComparison.Ordinal))
            {
                nodeId = NodeId.WithNamespaceIndex((ushort)index);
                return true;
            }
        }

        nodeId = default;
        return false;
    }

    /// <summary>
    /// Parses <c>nsu=URI;…</c> or a plain NodeId text (<see cref="UaNodeId.TryParse"/>). A <c>;</c> inside the URI
    /// must be written <c>%3B</c> (OPC 10000-6 §5.3.1.11 reserves it as the separator).
    /// </summary>
    public static bool TryParse(string? text, out UaNodeReference node, [NotNullWhen(false)] out string? error)
    {
        node = default;
        ReadOnlySpan<char> trimmed = (text ?? string.Empty).AsSpan().Trim();
        if (!trimmed.StartsWith("nsu="))
        {
            bool parsed = UaNodeId.TryParse(text, out UaNodeId plain, out error);
            node = new UaNodeReference(plain);
            return parsed;
        }

        int semicolon = trimmed.IndexOf(';');
        string uri = semicolon < 0 ? string.Empty : Uri.UnescapeDataString(trimmed[4..semicolon].ToString());
        if (uri.Length == 0)
        {
            error = $"'{text}' has no namespace URI (write nsu=<uri>;s=… e.g. nsu=urn:park:doors;s=Door1.Open)";
            return false;
        }

        ReadOnlySpan<char> rest = trimmed[(semicolon + 1)..];
        if (rest.StartsWith("ns="))
        {
            error = $"'{text}' names its namespace twice (nsu= and ns=): keep one";
            return false;
        }

        if (!UaNodeId.TryParse(rest.ToString(), out UaNodeId id, out error))
        {
            return false;
        }

        node = new UaNodeReference(id, uri);
        return true;
    }

    public override string ToString() => NamespaceUri is null
        ? NodeId.ToString()
        : string.Create(CultureInfo.InvariantCulture, $"nsu={NamespaceUri.Replace(";", "%3B", StringComparison.Ordinal)};{NodeId}");
}
