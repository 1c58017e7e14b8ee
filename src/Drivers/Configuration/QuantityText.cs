using System.Globalization;

namespace SmartCity.Edge.Drivers.Configuration;

/// <summary>Splits "1.5s" or "512MiB" into a non-negative number and its unit; both parts are required.</summary>
internal static class QuantityText
{
    public static bool TrySplit(string text, out double number, out string unit)
    {
        number = 0;
        unit = string.Empty;
        ReadOnlySpan<char> s = text.AsSpan().Trim();
        int unitStart = s.Length;
        while (unitStart > 0 && char.IsAsciiLetter(s[unitStart - 1]))
        {
            unitStart--;
        }

        if (unitStart == 0 || unitStart == s.Length
            || !double.TryParse(s[..unitStart], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number))
        {
            return false;
        }

        unit = s[unitStart..].ToString();
        return true;
    }
}
