using System.Text.Json;
using System.Text.RegularExpressions;
using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Commands;

/// <summary>
/// <c>{prefix}/commands/write</c>: write one tag of one device (docs/commands.md). Signed: claims <c>cmd: "write"</c>,
/// <c>device</c>, <c>tag</c>, <c>value</c> (a number, true/false or text), optional <c>expect</c> (the value the
/// operator saw: refused if the gateway's latest reading differs), and <c>sub</c>, <c>iat</c>, <c>exp</c>, <c>jti</c>.
/// </summary>
/// <param name="DeviceId">A device id: lower-case letters, digits, '-' and '_' only — never a wildcard or a path.</param>
/// <param name="TagId">A tag id: letters, digits, '-', '_' and '.' only.</param>
/// <param name="Value">The value to write.</param>
/// <param name="Expect">The value the operator expects the tag to hold now; null: not checked.</param>
internal sealed partial record WriteCommand(string DeviceId, string TagId, TagValue Value, TagValue? Expect)
{
    public const string Name = "write";

    /// <summary>Text values longer than this are refused: no tag of any driver holds more, and they would swell the audit trail.</summary>
    public const int MaxText = 1024;

    private const int MaxDevice = 64;
    private const int MaxTag = 128;

    /// <summary>What a key's <c>allow:</c> entry matches: <c>device/tag</c>.</summary>
    public string Target => DeviceId + "/" + TagId;

    /// <summary>
    /// Reads the write's claims. On failure <paramref name="error"/> says what is wrong, and <paramref name="deviceId"/>
    /// and <paramref name="tagId"/> hold whichever of the two were valid (for the audit record).
    /// </summary>
    public static bool TryRead(VerifiedCommand command, out WriteCommand? write, out string? deviceId, out string? tagId, out string? error)
    {
        write = null;
        deviceId = tagId = null;
        if (!command.TryGetString("device", MaxDevice, out string? device, out error))
        {
            return false;
        }

        if (device is null || !DeviceIdPattern().IsMatch(device))
        {
            error = device is null
                ? "missing \"device\": the id of the device to write"
                : $"claim \"device\" {CommandText.Quote(device)} is not a device id (lower-case letters, digits, '-' and '_'); wildcards and paths are not accepted";
            return false;
        }

        deviceId = device;
        if (!command.TryGetString("tag", MaxTag, out string? tag, out error))
        {
            return false;
        }

        if (tag is null || !TagIdPattern().IsMatch(tag))
        {
            error = tag is null
                ? "missing \"tag\": the id of the tag to write"
                : $"claim \"tag\" {CommandText.Quote(tag)} is not a tag id (letters, digits, '-', '_' and '.'); wildcards and paths are not accepted";
            return false;
        }

        tagId = tag;
        if (!TryGetValue(command.Claims, "value", required: true, out TagValue value, out error)
            || !TryGetValue(command.Claims, "expect", required: false, out TagValue expect, out error))
        {
            return false;
        }

        write = new WriteCommand(device, tag, value, expect.IsNone ? null : expect);
        return true;
    }

    /// <summary>The value a claim carries, as it would be written; read only the claim (<c>value</c> or <c>expect</c>) the name says.</summary>
    public static bool TryGetValue(JsonElement claims, string name, bool required, out TagValue value, out string? error)
    {
        value = TagValue.None;
        error = null;
        if (!claims.TryGetProperty(name, out JsonElement element) || (!required && element.ValueKind == JsonValueKind.Null))
        {
            if (required)
            {
                error = $"missing \"{name}\": the value to write (a number, true or false, or text)";
            }

            return !required;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.True or JsonValueKind.False:
                value = TagValue.FromBoolean(element.GetBoolean());
                return true;
            case JsonValueKind.Number when element.TryGetInt64(out long whole):
                value = TagValue.FromInt64(whole);
                return true;
            case JsonValueKind.Number when element.TryGetUInt64(out ulong unsigned):
                value = TagValue.FromUInt64(unsigned);
                return true;
            case JsonValueKind.Number when element.TryGetDouble(out double real) && double.IsFinite(real):
                value = TagValue.FromDouble(real);
                return true;
            case JsonValueKind.Number:
                error = $"claim \"{name}\" is a number no tag can hold (beyond ±1.8e308)";
                return false;
            case JsonValueKind.String when element.GetString() is { Length: <= MaxText } text:
                value = TagValue.FromString(text);
                return true;
            case JsonValueKind.String:
                error = $"claim \"{name}\" is text of {element.GetString()!.Length} characters, at most {MaxText}";
                return false;
            default:
                error = $"claim \"{name}\" must be a number, true or false, or text; not {element.ValueKind.ToString().ToLowerInvariant()}";
                return false;
        }
    }

    // As the configuration loader validates ids (a device id appears in MQTT topics, a tag id in "device/tag"); \z, not $,
    // which would also match before a final line break.
    [GeneratedRegex(@"^[a-z0-9_-]+\z")]
    private static partial Regex DeviceIdPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_.-]+\z")]
    private static partial Regex TagIdPattern();
}
