using System.Globalization;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Drivers.Configuration;

namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>
/// The write keys every tag may carry, whatever its driver (like <c>deadband</c>): <c>writable</c>, <c>min</c>,
/// <c>max</c>, <c>allowed_values</c>, <c>rate_limit</c>, <c>confirm</c> (docs/commands.md, "Writes").
/// </summary>
public sealed partial class GatewayConfigurationLoader
{
    /// <summary>Keys that mean something only on a writable tag (min and max are also the simulator's range, so not here).</summary>
    private static readonly string[] s_writeOnlyKeys = ["allowed_values", "rate_limit", "confirm"];

    private static readonly Dictionary<string, bool> s_confirmChoices = new(StringComparer.Ordinal)
    {
        ["read"] = true,
        ["none"] = false,
    };

    private const int MaxAllowedValues = 256;

    private static TagWriteRules? ReadTagWriteRules(ConfigSection tag)
    {
        if (!tag.GetBoolean("writable", false))
        {
            foreach (string key in s_writeOnlyKeys)
            {
                if (tag.Has(key))
                {
                    tag.Error(key, "applies to writable tags only: add writable: true to let operators write this tag, or remove it");
                }
            }

            return null;
        }

        double? min = tag.GetOptionalDouble("min");
        double? max = tag.GetOptionalDouble("max");
        if (min > max)
        {
            tag.Error("max", $"max ({Number(max!.Value)}) is below min ({Number(min!.Value)})");
        }

        IReadOnlyList<TagValue>? allowed = null;
        if (tag.GetScalarList("allowed_values") is { } texts)
        {
            if (texts.Count == 0 || texts.Count > MaxAllowedValues)
            {
                tag.Error("allowed_values", texts.Count == 0
                    ? "is empty: no value could be written (remove writable: true to forbid writes)"
                    : $"lists {texts.Count} values, at most {MaxAllowedValues} (use min and max for a range)");
            }

            allowed = texts.Select(ParseScalarValue).ToArray();
            foreach (TagValue value in allowed.Where(v => v.IsNumeric ? v.AsDouble() < min || v.AsDouble() > max : min is not null || max is not null))
            {
                tag.Error("allowed_values", value.IsNumeric
                    ? $"{value} is outside min..max ({Number(min ?? double.NegativeInfinity)}..{Number(max ?? double.PositiveInfinity)}): it could never be written"
                    : $"'{value}' is text, but min and max let only numbers through: it could never be written");
            }
        }

        WriteRateLimit? rateLimit = null;
        if (tag.GetString("rate_limit") is { } rateText && !TryParseRateLimit(rateText, out rateLimit))
        {
            tag.Error("rate_limit", $"'{rateText}' is not a rate limit: write COUNT/PERIOD, e.g. 1/10s (one write per 10 seconds) or 5/1m (count 1 to 1000, period 1s to 24h)");
        }

        bool confirm = tag.GetChoice("confirm", false, s_confirmChoices);
        return new TagWriteRules(min, max, allowed, rateLimit, confirm);
    }

    /// <summary>A YAML scalar as a value: true/false, a number, or else text (as <c>equals:</c> reads it).</summary>
    private static TagValue ParseScalarValue(string text) => text switch
    {
        "true" or "True" => TagValue.FromBoolean(true),
        "false" or "False" => TagValue.FromBoolean(false),
        _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long whole) => TagValue.FromInt64(whole),
        _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && double.IsFinite(number) => TagValue.FromDouble(number),
        _ => TagValue.FromString(text),
    };

    /// <summary><c>COUNT/PERIOD</c>, e.g. <c>1/10s</c>: 1 to 1000 writes in 1 s to 24 h.</summary>
    internal static bool TryParseRateLimit(string text, out WriteRateLimit? limit)
    {
        limit = null;
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0
            || !int.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            || count is < 1 or > 1000
            || !DurationParser.TryParse(text[(slash + 1)..], out TimeSpan period)
            || period < TimeSpan.FromSeconds(1) || period > TimeSpan.FromHours(24))
        {
            return false;
        }

        limit = new WriteRateLimit(count, period);
        return true;
    }

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);
}
