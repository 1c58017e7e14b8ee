using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>
/// Whether two values are the same as an operator means it — for <c>allowed_values</c>, <c>expect</c> and the
/// read-back of a write: numbers by value whatever their kind (1, 1.0 and true for a coil), text exactly, a number
/// never equal to text.
/// </summary>
public static class TagValueEquality
{
    public static bool Same(TagValue a, TagValue b)
    {
        if (a.IsNumeric && b.IsNumeric)
        {
            double x = a.AsDouble(), y = b.AsDouble();
            if (x == y || (a.Kind == TagValueKind.UInt64 && b.Kind == TagValueKind.UInt64 && a.AsUInt64() == b.AsUInt64()))
            {
                return true;
            }

            // A float32 register holds 21.3 as 21.2999992…: a fraction equal at float32 precision is the same value.
            // Whole numbers are compared exactly (as floats, 16777217 and 16777216 would pass for equal).
            bool fractional = Math.Floor(x) != x || Math.Floor(y) != y;
            return fractional && double.IsFinite(x) && double.IsFinite(y) && (float)x == (float)y;
        }

        return !a.IsNumeric && !b.IsNumeric && a.Kind == b.Kind && string.Equals(a.AsString(), b.AsString(), StringComparison.Ordinal);
    }
}
