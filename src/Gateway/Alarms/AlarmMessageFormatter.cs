using System.Globalization;
using System.Text;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>Fills a message template's placeholders (<c>{value}</c>, <c>{unit}</c>, <c>{device}</c>, <c>{tag}</c>, <c>{alarm}</c>, <c>{severity}</c>, <c>{reason}</c>).</summary>
internal static class AlarmMessageFormatter
{
    public static string Format(AlarmDefinition alarm, TagValue value, string? tag, string? reason)
    {
        string template = alarm.MessageTemplate;
        if (!template.Contains('{', StringComparison.Ordinal))
        {
            return template;
        }

        var text = new StringBuilder(template.Length + 32);
        int i = 0;
        while (i < template.Length)
        {
            int open = template.IndexOf('{', i);
            int close = open < 0 ? -1 : template.IndexOf('}', open);
            if (open < 0 || close < 0)
            {
                text.Append(template, i, template.Length - i);
                break;
            }

            text.Append(template, i, open - i);
            string name = template[(open + 1)..close];
            string? replacement = name switch
            {
                "value" => FormatValue(value),
                "unit" => alarm.Unit ?? string.Empty,
                "device" => alarm.DeviceId,
                "tag" => tag ?? alarm.TagId ?? string.Empty,
                "alarm" => alarm.Id,
                "severity" => alarm.Severity.ToString().ToLowerInvariant(),
                "reason" => reason ?? string.Empty,
                _ => null, // validated at load; keep unknown text as written
            };
            text.Append(replacement ?? template[open..(close + 1)]);
            i = close + 1;
        }

        return text.ToString();
    }

    public static string FormatValue(TagValue value) => value.Kind switch
    {
        TagValueKind.None => string.Empty,
        TagValueKind.Boolean => value.AsBoolean() ? "true" : "false",
        TagValueKind.Double or TagValueKind.Float32 => value.AsDouble().ToString("0.###", CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>For a severity filter: is <paramref name="severity"/> at least <paramref name="minimum"/>?</summary>
    public static bool AtLeast(AlarmSeverity severity, AlarmSeverity minimum) => severity >= minimum;
}
