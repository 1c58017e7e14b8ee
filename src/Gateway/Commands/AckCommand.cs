using System.Text.Json;

namespace SmartCity.Edge.Gateway.Commands;

/// <summary><c>{prefix}/commands/ack</c>: <c>{"alarm":"…","by":"…","comment":"…","id":"…"}</c> (comment and id optional).</summary>
internal sealed record AckCommand(string Alarm, string By, string? Comment, string? RequestId)
{
    private const int MaxPayload = 4096;
    private const int MaxText = 256;

    /// <summary>Parses a command; on failure <paramref name="error"/> says what is wrong, for the reply.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out AckCommand? command, out string? requestId, out string? error)
    {
        command = null;
        requestId = null;
        if (payload.Length > MaxPayload)
        {
            error = $"command too large ({payload.Length} bytes, at most {MaxPayload})";
            return false;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(payload.ToArray());
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "command must be a JSON object such as {\"alarm\":\"smoke-zone1-high\",\"by\":\"desk-1\"}";
                return false;
            }

            requestId = Text(root, "id");
            string? alarm = Text(root, "alarm");
            string? by = Text(root, "by");
            string? comment = Text(root, "comment");
            if (string.IsNullOrWhiteSpace(alarm))
            {
                error = "missing \"alarm\": the id of the alarm to acknowledge";
                return false;
            }

            if (string.IsNullOrWhiteSpace(by))
            {
                error = "missing \"by\": who acknowledges (recorded in the alarm message)";
                return false;
            }

            if (alarm.Length > MaxText || by.Length > MaxText || comment?.Length > 4 * MaxText)
            {
                error = "\"alarm\", \"by\" or \"comment\" is too long";
                return false;
            }

            command = new AckCommand(alarm, by, comment, requestId);
            error = null;
            return true;
        }
        catch (JsonException ex)
        {
            error = "not valid JSON: " + ex.Message;
            return false;
        }
        catch (InvalidOperationException)
        {
            error = "\"alarm\", \"by\", \"comment\" and \"id\" must be strings";
            return false;
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null ? value.GetString() : null;
}
