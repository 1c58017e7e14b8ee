using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace SmartCity.Edge.Gateway.Hosting;

/// <summary>
/// Structural equality of validated configuration objects, to tell which devices a reload really changed. Records
/// compare their lists by reference, so this walks public properties and sequences itself; any driver's settings
/// record works without the driver knowing about reloads. Bounded depth: configurations are trees, not graphs.
/// </summary>
internal static class ConfigEquality
{
    private const int MaxDepth = 16;

    public static bool DeepEquals(object? left, object? right) => DeepEquals(left, right, 0);

    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Only our own configuration records are walked, and our assemblies are trimmer roots in every publish (SmartCity.Edge.Gateway.csproj).")]
    private static bool DeepEquals(object? left, object? right, int depth)
    {
        if (ReferenceEquals(left, right))
        {
            return true;
        }

        if (left is null || right is null || left.GetType() != right.GetType())
        {
            return false;
        }

        Type type = left.GetType();
        if (type.IsValueType || left is string || depth >= MaxDepth)
        {
            return left.Equals(right);
        }

        if (left is IEnumerable leftItems && right is IEnumerable rightItems)
        {
            IEnumerator a = leftItems.GetEnumerator();
            IEnumerator b = rightItems.GetEnumerator();
            while (true)
            {
                bool hasA = a.MoveNext();
                bool hasB = b.MoveNext();
                if (hasA != hasB)
                {
                    return false;
                }

                if (!hasA)
                {
                    return true;
                }

                if (!DeepEquals(a.Current, b.Current, depth + 1))
                {
                    return false;
                }
            }
        }

        // Framework types (IPEndPoint, Uri, ...) define their own equality; only our configuration records are walked.
        bool ours = type.Namespace?.StartsWith("SmartCity.", StringComparison.Ordinal) == true;
        PropertyInfo[] properties = ours ? type.GetProperties(BindingFlags.Public | BindingFlags.Instance) : [];
        if (properties.Length == 0)
        {
            // Not a data object (a driver factory, say): only the same instance is equal.
            return left.Equals(right);
        }

        foreach (PropertyInfo property in properties)
        {
            if (property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            if (!DeepEquals(property.GetValue(left), property.GetValue(right), depth + 1))
            {
                return false;
            }
        }

        return true;
    }
}
