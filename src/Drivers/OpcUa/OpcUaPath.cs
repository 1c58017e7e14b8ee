using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// Browse paths as technicians write them: <c>/Objects/Park/Door1/Open</c>. Each element is a browse name,
/// optionally with a namespace index (<c>1:Park</c>); without one the server's namespace 1 is assumed for
/// everything below Objects, which is where servers put their own nodes.
/// </summary>
public static class OpcUaPath
{
    public static bool TryParse(string? text, [NotNullWhen(true)] out IReadOnlyList<UaQualifiedName>? elements, [NotNullWhen(false)] out string? error)
    {
        elements = null;
        if (string.IsNullOrWhiteSpace(text) || !text.StartsWith("/Objects", StringComparison.Ordinal))
        {
            error = $"'{text}' is not a browse path (write /Objects/Folder/Variable)";
            return false;
        }

        string[] parts = text.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var names = new List<UaQualifiedName>(parts.Length - 1);
        foreach (string part in parts.Skip(1))
        {
            int colon = part.IndexOf(':');
            if (colon > 0 && ushort.TryParse(part.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out ushort ns))
            {
                names.Add(new UaQualifiedName(ns, part[(colon + 1)..]));
            }
            else
            {
                names.Add(new UaQualifiedName(1, part));
            }
        }

        if (names.Count == 0)
        {
            error = $"'{text}' names no node below /Objects";
            return false;
        }

        elements = names;
        error = null;
        return true;
    }
}
