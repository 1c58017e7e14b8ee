using System.Text.Json;

namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Session;

/// <summary>
/// A Primary Host's STATE message (§6.3.5, payload of <c>spBv1.0/STATE/{host}</c>): UTF-8 JSON
/// <c>{"online":true|false,"timestamp":ms}</c>, published by the host retained at QoS 1 as its birth and as its Will.
/// </summary>
internal readonly record struct SparkplugHostState(bool Online, long Timestamp)
{
    /// <summary>A STATE is a few dozen bytes; anything far bigger is not one.</summary>
    public const int MaxPayloadBytes = 1024;

    /// <summary>Reads a STATE payload, or says why it is none (wrong shape, missing member, wrong type, too big).</summary>
    public static bool TryParse(ReadOnlySpan<byte> json, out SparkplugHostState state, out string? problem)
    {
        state = default;
        problem = null;
        if (json.Length > MaxPayloadBytes)
        {
            problem = $"{json.Length} bytes, more than a STATE message has ({MaxPayloadBytes})";
            return false;
        }

        if (json.SequenceEqual("ONLINE"u8) || json.SequenceEqual("OFFLINE"u8))
        {
            problem = "a Sparkplug 2.2 STATE (ONLINE/OFFLINE text); this edge node follows Sparkplug 3.0, whose hosts send {\"online\":…,\"timestamp\":…}";
            return false;
        }

        bool? online = null;
        long? timestamp = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                problem = "not a JSON object";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("online"u8))
                {
                    reader.Read();
                    if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                    {
                        problem = "'online' is not true or false";
                        return false;
                    }

                    online = reader.TokenType == JsonTokenType.True;
                }
                else if (reader.ValueTextEquals("timestamp"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long ms) || ms < 0)
                    {
                        problem = "'timestamp' is not a whole number of milliseconds";
                        return false;
                    }

                    timestamp = ms;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            // Utf8JsonReader itself refuses anything after the object (a JsonException below).
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                problem = "not a single JSON object";
                return false;
            }
        }
        catch (JsonException ex)
        {
            problem = "not valid JSON: " + ex.Message;
            return false;
        }

        if (online is null || timestamp is null)
        {
            problem = online is null ? "no 'online' member" : "no 'timestamp' member";
            return false;
        }

        state = new SparkplugHostState(online.Value, timestamp.Value);
        return true;
    }
}
