using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Drivers.Configuration;

namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>The <c>alarms:</c>, <c>alarm_options:</c> and <c>webhooks:</c> sections (docs/alarms.md).</summary>
public sealed partial class GatewayConfigurationLoader
{
    /// <summary>Placeholders a message may use; anything else in braces is a typo.</summary>
    public static readonly IReadOnlyList<string> MessagePlaceholders = ["value", "unit", "device", "tag", "alarm", "severity", "reason"];

    private static readonly string[] s_conditionKeys = ["above", "below", "equals", "outside", "rate_of_change"];

    private static readonly Dictionary<string, AlarmActionReset> s_resets = new(StringComparer.Ordinal)
    {
        ["on_clear"] = AlarmActionReset.OnClear,
        ["on_ack"] = AlarmActionReset.OnAck,
        ["never"] = AlarmActionReset.Never,
    };

    private static IReadOnlyList<AlarmRule> ReadAlarms(ConfigSection root, IReadOnlyList<DeviceConfiguration> devices)
    {
        var alarms = new List<AlarmRule>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (ConfigSection section in root.GetSectionList("alarms"))
        {
            string id = section.GetRequiredString("id");
            if (id.Length > 0 && !IdPattern().IsMatch(id))
            {
                section.Error("id", $"'{id}' is not a valid alarm id (use lower-case letters, digits, '-' and '_'; it appears in MQTT topics)");
            }

            if (seen.TryGetValue(id, out int firstLine))
            {
                section.Error("id", $"duplicate alarm id '{id}' (first defined at line {firstLine})");
            }
            else if (id.Length > 0)
            {
                seen.Add(id, section.LocationOf("id").Line);
            }

            // Built-in ids share the alarm namespace (topics, acks): a rule may not take one.
            if (devices.FirstOrDefault(d => id == BuiltInAlarmIds.Offline(d.Id) || id == BuiltInAlarmIds.BadQuality(d.Id)) is { } owner)
            {
                section.Error("id", $"'{id}' is reserved for a built-in alarm of device '{owner.Id}': choose another id");
            }

            (string deviceId, string tagId) = ReadTagPath(section, "tag", devices, required: true);
            AlarmRule? rule = ReadCondition(section, id, deviceId, tagId);
            AlarmSeverity severity = section.GetChoice("severity", AlarmSeverity.Warning, s_severities);
            string message = ReadMessage(section, id);
            TimeSpan delay = section.GetDuration("delay", TimeSpan.Zero, min: TimeSpan.Zero, max: TimeSpan.FromDays(1));
            TimeSpan clearDelay = section.GetDuration("clear_delay", TimeSpan.Zero, min: TimeSpan.Zero, max: TimeSpan.FromDays(1));
            bool latch = section.GetBoolean("latch", false);
            IReadOnlyList<AlarmAction> actions = ReadActions(section, devices);
            section.ReportUnknownKeys();
            if (rule is not null && id.Length > 0 && deviceId.Length > 0)
            {
                alarms.Add(rule with
                {
                    Severity = severity,
                    Message = message,
                    Delay = delay,
                    ClearDelay = clearDelay,
                    Latch = latch,
                    Actions = actions,
                });
            }
        }

        return alarms;
    }

    /// <summary>Reads the one condition key and its hysteresis; null when the condition is missing or invalid.</summary>
    private static AlarmRule? ReadCondition(ConfigSection section, string id, string deviceId, string tagId)
    {
        string[] given = s_conditionKeys.Where(section.Has).ToArray();
        if (given.Length == 0)
        {
            section.Error("above", "an alarm needs a condition: above:, below:, equals:, outside: [lo, hi] or rate_of_change:");
            section.Accept("clear_below", "clear_above");
            return null;
        }

        if (given.Length > 1)
        {
            section.Error(given[1], $"give only one condition; this alarm already has {given[0]}:");
            section.Accept(s_conditionKeys);
            section.Accept("clear_below", "clear_above");
            return null;
        }

        double? clearBelow = section.GetOptionalDouble("clear_below");
        double? clearAbove = section.GetOptionalDouble("clear_above");
        AlarmRule Rule(AlarmCondition condition, TagValue threshold) =>
            new(id, deviceId, tagId, condition, threshold, AlarmSeverity.Warning, id) { ClearBelow = clearBelow, ClearAbove = clearAbove };

        switch (given[0])
        {
            case "above" when section.GetOptionalDouble("above") is { } above:
                RejectHysteresis(section, "clear_above", clearAbove, "above");
                if (clearBelow > above)
                {
                    section.Error("clear_below", $"clear_below ({Format(clearBelow.Value)}) must not be higher than above ({Format(above)}): the alarm would never clear");
                }

                return Rule(AlarmCondition.Above, TagValue.FromDouble(above));
            case "below" when section.GetOptionalDouble("below") is { } below:
                RejectHysteresis(section, "clear_below", clearBelow, "below");
                if (clearAbove < below)
                {
                    section.Error("clear_above", $"clear_above ({Format(clearAbove.Value)}) must not be lower than below ({Format(below)}): the alarm would never clear");
                }

                return Rule(AlarmCondition.Below, TagValue.FromDouble(below));
            case "equals":
                RejectHysteresis(section, "clear_below", clearBelow, "equals");
                RejectHysteresis(section, "clear_above", clearAbove, "equals");
                return Rule(AlarmCondition.EqualTo, ReadEquals(section));
            case "outside":
                return ReadOutside(section, Rule, clearBelow, clearAbove);
            case "rate_of_change" when section.GetOptionalDouble("rate_of_change") is { } rate:
                if (rate == 0)
                {
                    section.Error("rate_of_change", "must not be 0: give the change per second that trips, positive for rising, negative for falling");
                    return null;
                }

                if (rate > 0)
                {
                    RejectHysteresis(section, "clear_above", clearAbove, "a rising rate_of_change");
                }
                else
                {
                    RejectHysteresis(section, "clear_below", clearBelow, "a falling rate_of_change");
                }

                return Rule(AlarmCondition.RateOfChange, TagValue.FromDouble(rate));
            default:
                return null; // the getter reported the bad number
        }
    }

    private static AlarmRule? ReadOutside(ConfigSection section, Func<AlarmCondition, TagValue, AlarmRule> rule, double? clearBelow, double? clearAbove)
    {
        IReadOnlyList<string>? bounds = section.GetScalarList("outside");
        if (bounds is null)
        {
            return null;
        }

        if (bounds.Count != 2
            || !double.TryParse(bounds[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double low)
            || !double.TryParse(bounds[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double high))
        {
            section.Error("outside", $"must be two numbers [low, high], e.g. outside: [18, 26]");
            return null;
        }

        if (low >= high)
        {
            section.Error("outside", $"low ({Format(low)}) must be below high ({Format(high)})");
            return null;
        }

        // Hysteresis inside the band: an alarm tripped below low clears at clear_above, one tripped above high at clear_below.
        if (clearAbove is { } ca && (ca < low || ca > high))
        {
            section.Error("clear_above", $"must lie within [{Format(low)}, {Format(high)}]");
        }

        if (clearBelow is { } cb && (cb < low || cb > high))
        {
            section.Error("clear_below", $"must lie within [{Format(low)}, {Format(high)}]");
        }

        if ((clearAbove ?? low) > (clearBelow ?? high))
        {
            section.Error("clear_above", "clear_above must not be higher than clear_below: no value would clear the alarm");
        }

        return rule(AlarmCondition.Outside, TagValue.FromDouble(low)) with { High = high };
    }

    private static void RejectHysteresis(ConfigSection section, string key, double? value, string condition)
    {
        if (value is not null)
        {
            section.Error(key, $"{key} does not apply to {condition} (use {(key == "clear_below" ? "clear_above" : "clear_below")})");
        }
    }

    private static TagValue ReadEquals(ConfigSection section)
    {
        string text = section.GetString("equals") ?? string.Empty;
        return text switch
        {
            "true" or "True" => TagValue.FromBoolean(true),
            "false" or "False" => TagValue.FromBoolean(false),
            _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) ? TagValue.FromDouble(number) : TagValue.FromString(text),
        };
    }

    private static string ReadMessage(ConfigSection section, string defaultMessage, string key = "message")
    {
        string message = section.GetString(key, defaultMessage)!;
        foreach (Match match in PlaceholderPattern().Matches(message))
        {
            string name = match.Groups[1].Value;
            if (!MessagePlaceholders.Contains(name, StringComparer.Ordinal))
            {
                section.Error(key, $"'{{{name}}}' is not a placeholder{DidYouMean.Hint(name, MessagePlaceholders)} (available: {string.Join(", ", MessagePlaceholders.Select(p => "{" + p + "}"))})");
            }
        }

        return message;
    }

    private static (string DeviceId, string TagId) ReadTagPath(ConfigSection section, string key, IReadOnlyList<DeviceConfiguration> devices, bool required)
    {
        string tagPath = required ? section.GetRequiredString(key) : section.GetString(key) ?? string.Empty;
        if (tagPath.Length == 0)
        {
            return (string.Empty, string.Empty);
        }

        int slash = tagPath.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == tagPath.Length - 1)
        {
            section.Error(key, $"'{tagPath}' must be written device/tag, e.g. fire-panel-1/smoke_zone1");
            return (string.Empty, string.Empty);
        }

        string deviceId = tagPath[..slash];
        string tagId = tagPath[(slash + 1)..];
        DeviceConfiguration? device = devices.FirstOrDefault(d => d.Id == deviceId);
        if (device is null)
        {
            section.Error(key, $"no device '{deviceId}'{DidYouMean.Hint(deviceId, devices.Select(d => d.Id))}");
            return (string.Empty, string.Empty);
        }

        if (device.Tags.All(t => t.Id != tagId))
        {
            section.Error(key, $"device '{deviceId}' has no tag '{tagId}'{DidYouMean.Hint(tagId, device.Tags.Select(t => t.Id))}");
            return (string.Empty, string.Empty);
        }

        return (deviceId, tagId);
    }

    private static IReadOnlyList<AlarmAction> ReadActions(ConfigSection section, IReadOnlyList<DeviceConfiguration> devices)
    {
        var actions = new List<AlarmAction>();
        foreach (ConfigSection action in section.GetSectionList("actions"))
        {
            string deviceId = action.GetRequiredString("device");
            string tagId = action.GetRequiredString("tag");
            if (deviceId.Length > 0 && tagId.Length > 0)
            {
                DeviceConfiguration? device = devices.FirstOrDefault(d => d.Id == deviceId);
                if (device is null)
                {
                    action.Error("device", $"no device '{deviceId}'{DidYouMean.Hint(deviceId, devices.Select(d => d.Id))}");
                    deviceId = string.Empty;
                }
                else if (device.Tags.All(t => t.Id != tagId))
                {
                    action.Error("tag", $"device '{deviceId}' has no tag '{tagId}'{DidYouMean.Hint(tagId, device.Tags.Select(t => t.Id))}");
                    deviceId = string.Empty;
                }
            }

            if (!action.Has("value"))
            {
                action.Error("value", "is required: the value written while the alarm is active, e.g. value: true");
            }

            TagValue value = ReadActionValue(action, "value", TagValue.FromBoolean(true));
            TagValue resetValue = ReadActionValue(action, "reset_value", value.Kind == TagValueKind.Boolean ? TagValue.FromBoolean(false) : TagValue.FromDouble(0));
            AlarmActionReset reset = action.GetChoice("reset", AlarmActionReset.OnClear, s_resets);
            action.ReportUnknownKeys();
            if (deviceId.Length > 0 && tagId.Length > 0)
            {
                actions.Add(new AlarmAction(deviceId, tagId, value, resetValue, reset));
            }
        }

        return actions;
    }

    private static TagValue ReadActionValue(ConfigSection section, string key, TagValue defaultValue)
    {
        string? text = section.GetString(key);
        if (text is null)
        {
            return defaultValue;
        }

        if (text is "true" or "True")
        {
            return TagValue.FromBoolean(true);
        }

        if (text is "false" or "False")
        {
            return TagValue.FromBoolean(false);
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number))
        {
            return TagValue.FromDouble(number);
        }

        section.Error(key, $"'{text}' is not a value an output takes (write true, false or a number)");
        return defaultValue;
    }

    private static AlarmOptions ReadAlarmOptions(ConfigSection root, IReadOnlyList<DeviceConfiguration> devices)
    {
        AlarmOptions defaults = AlarmOptions.Default;
        ConfigSection? section = root.GetSection("alarm_options");
        AlarmOptions options = defaults;
        if (section is not null)
        {
            int maxTransitions = section.GetInt32("max_transitions", defaults.MaxTransitions, min: 0, max: 100_000);
            TimeSpan window = section.GetDuration("rate_window", defaults.RateWindow, min: TimeSpan.FromSeconds(1), max: TimeSpan.FromDays(1));
            BuiltInAlarmOptions offline = ReadBuiltIn(section.GetSection("offline"), defaults.Offline, devices, isOffline: true);
            BuiltInAlarmOptions badQuality = ReadBuiltIn(section.GetSection("bad_quality"), defaults.BadQuality, devices, isOffline: false);
            section.ReportUnknownKeys();
            options = new AlarmOptions(maxTransitions, window, offline, badQuality);
        }

        return options;
    }

    private static BuiltInAlarmOptions ReadBuiltIn(ConfigSection? section, BuiltInAlarmOptions defaults, IReadOnlyList<DeviceConfiguration> devices, bool isOffline)
    {
        if (section is null)
        {
            return defaults;
        }

        bool enabled = section.GetBoolean("enabled", defaults.Enabled);
        AlarmSeverity severity = section.GetChoice("severity", defaults.Severity, s_severities);
        string message = ReadMessage(section, defaults.Message);
        int offlineAfter = isOffline ? section.GetInt32("offline_after", defaults.OfflineAfter, min: 1, max: 1_000) : 0;
        TimeSpan delay = section.GetDuration("delay", defaults.Delay, min: TimeSpan.Zero, max: TimeSpan.FromDays(1));
        bool latch = section.GetBoolean("latch", defaults.Latch);
        IReadOnlyList<string> except = section.GetScalarList("except") ?? [];
        foreach (string deviceId in except)
        {
            if (devices.All(d => d.Id != deviceId))
            {
                section.Error("except", $"no device '{deviceId}'{DidYouMean.Hint(deviceId, devices.Select(d => d.Id))}");
            }
        }

        section.ReportUnknownKeys();
        return new BuiltInAlarmOptions(enabled, severity, message, offlineAfter, delay, latch, except);
    }

    private static IReadOnlyList<WebhookConfiguration> ReadWebhooks(ConfigSection root)
    {
        var webhooks = new List<WebhookConfiguration>();
        foreach (ConfigSection section in root.GetSectionList("webhooks"))
        {
            string url = section.GetRequiredString("url");
            string secret = section.GetRequiredString("secret");
            AlarmSeverity minSeverity = section.GetChoice("min_severity", AlarmSeverity.Info, s_severities);
            TimeSpan timeout = section.GetDuration("timeout", TimeSpan.FromSeconds(10), min: TimeSpan.FromMilliseconds(100), max: TimeSpan.FromMinutes(5));
            TimeSpan maxRetry = section.GetDuration("max_retry_interval", TimeSpan.FromSeconds(30), min: TimeSpan.FromMilliseconds(250), max: TimeSpan.FromHours(1));
            string? caFile = section.GetString("ca_file");
            string? clientCert = section.GetString("client_cert");
            string? clientKey = section.GetString("client_key");
            section.ReportUnknownKeys();
            if (secret.Length is > 0 and < 16)
            {
                section.Error("secret", "is too short to sign with: use at least 16 characters (put it in an environment variable: secret: ${WEBHOOK_SECRET})");
            }

            if (url.Length == 0)
            {
                continue;
            }

            if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || uri.Host.Length == 0)
            {
                section.Error("url", $"'{url}' is not a webhook address (write https://host/path)");
                continue;
            }

            // Alarm JSON over plain HTTP would be readable and forgeable on the wire; allow it only on this machine.
            if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri))
            {
                section.Error("url", $"'{url}' uses http:// to another machine: use https:// (http:// is allowed only for 127.0.0.1, ::1 and localhost)");
                continue;
            }

            if (webhooks.Any(w => w.Url == uri))
            {
                section.Error("url", $"webhook '{url}' is configured twice");
                continue;
            }

            TlsFiles? tls = null;
            if (caFile is not null || clientCert is not null || clientKey is not null)
            {
                if (uri.Scheme != Uri.UriSchemeHttps)
                {
                    section.Error(caFile is not null ? "ca_file" : clientCert is not null ? "client_cert" : "client_key", "is only used with an https:// url");
                    continue;
                }

                tls = ReadTlsFiles(section, caFile, clientCert, clientKey);
            }

            webhooks.Add(new WebhookConfiguration(uri, secret, minSeverity, timeout, maxRetry, tls));
        }

        return webhooks;
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? address) && IPAddress.IsLoopback(address));

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\{([^{}]*)\}")]
    private static partial Regex PlaceholderPattern();
}
