using System.Globalization;
using System.Text.Json;
using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Upstream.Json;

/// <summary>
/// Values and timestamps as the upstream contract writes them (docs/upstream.md), on any <see cref="Utf8JsonWriter"/>:
/// alarm messages, webhooks and <c>smartcity-edge test --json</c> show them exactly as upstream gets them.
/// </summary>
internal static class JsonContract
{
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>A tag value as the contract shows it: number, boolean, string, or null where JSON has no number (none, NaN, infinities).</summary>
    public static void WriteValue(Utf8JsonWriter writer, ReadOnlySpan<byte> name, TagValue value)
    {
        switch (value.Kind)
        {
            case TagValueKind.Boolean:
                writer.WriteBoolean(name, value.AsBoolean());
                break;
            case TagValueKind.Int64:
                writer.WriteNumber(name, value.AsInt64());
                break;
            case TagValueKind.UInt64:
                writer.WriteNumber(name, value.AsUInt64());
                break;
            case TagValueKind.Double when double.IsFinite(value.AsDouble()):
                writer.WriteNumber(name, value.AsDouble());
                break;
            case TagValueKind.Float32 when float.IsFinite(value.AsSingle()):
                // The shortest text that reads back to the same float32 (24.864313), not the widened double's digits.
                writer.WriteNumber(name, value.AsSingle());
                break;
            case TagValueKind.String:
                writer.WriteString(name, value.AsString());
                break;
            default:
                writer.WriteNull(name);
                break;
        }
    }

    /// <summary>ISO 8601 UTC with milliseconds, as in the upstream contract.</summary>
    public static void WriteTimestamp(Utf8JsonWriter writer, ReadOnlySpan<byte> name, DateTimeOffset timestamp)
    {
        Span<char> text = stackalloc char[24];
        FormatTimestamp(timestamp, text, out int written);
        writer.WriteString(name, text[..written]);
    }

    /// <summary>The upstream timestamp text (<c>2025-01-31T12:00:00.000Z</c>).</summary>
    public static string FormatTimestamp(DateTimeOffset timestamp)
    {
        Span<char> text = stackalloc char[24];
        FormatTimestamp(timestamp, text, out int written);
        return new string(text[..written]);
    }

    private static void FormatTimestamp(DateTimeOffset timestamp, Span<char> text, out int written) =>
        timestamp.UtcDateTime.TryFormat(text, out written, TimestampFormat, CultureInfo.InvariantCulture);
}
