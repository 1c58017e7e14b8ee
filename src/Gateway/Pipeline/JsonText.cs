using System.Text.Json;

namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>JSON string literals for the pre-built fragments of upstream messages (gateway and device ids).</summary>
internal static class JsonText
{
    /// <summary>
    /// <paramref name="value"/> as a JSON string literal, quotes included, escaped exactly as <see cref="Utf8JsonWriter"/>
    /// escapes it. Not <c>JsonSerializer.Serialize</c>: that needs runtime type information a native AOT build lacks.
    /// </summary>
    public static string Quote(string value) => "\"" + JsonEncodedText.Encode(value).Value + "\"";
}
