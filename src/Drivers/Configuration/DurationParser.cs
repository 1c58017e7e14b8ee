using System.Globalization;

namespace SmartCity.Edge.Drivers.Configuration;

/// <summary>Durations as technicians write them: <c>500ms</c>, <c>2s</c>, <c>1.5s</c>, <c>5m</c>, <c>1h</c>, <c>1d</c>. A unit is required.</summary>
public static class DurationParser
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        if (!QuantityText.TrySplit(text, out double number, out string unit))
        {
            return false;
        }

        double milliseconds;
        switch (unit)
        {
            case "ms": milliseconds = number; break;
            case "s": milliseconds = number * 1000; break;
            case "m": milliseconds = number * 60_000; break;
            case "h": milliseconds = number * 3_600_000; break;
            case "d": milliseconds = number * 86_400_000; break;
            default: return false;
        }

        if (milliseconds > TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(milliseconds);
        return true;
    }

    public static string Format(TimeSpan value) =>
        value.TotalMilliseconds < 1000 || value.Milliseconds != 0
            ? $"{value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms"
            : value.TotalSeconds < 60 || value.Seconds != 0
                ? $"{value.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s"
                : $"{value.TotalMinutes.ToString(CultureInfo.InvariantCulture)}m";
}
