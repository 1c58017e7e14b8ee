using System.Text.Json;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Commands;

/// <summary>
/// A command whose origin is established: a compact JWS whose signature, key, algorithm and lifetime checked out, or
/// (only with <c>allow_unsigned: true</c>) a plain JSON command. The command's own claims (<c>alarm</c>,
/// <c>occurrence</c>, …) are read from <see cref="Claims"/> by the command that runs it; whether the key may send it
/// (<see cref="CommandKey.Allows"/>) and whether it was seen before are checked after that, with its target known.
/// </summary>
/// <param name="Command">The <c>cmd</c> claim (for an unsigned command: the topic's command).</param>
/// <param name="Subject">Who sends it: the <c>sub</c> claim (unsigned: <c>by</c>), shown as <c>ack.by</c>.</param>
/// <param name="Claims">The token's payload (unsigned: the JSON object), a detached copy.</param>
/// <param name="Key">The key that verified the signature; null for an unsigned command.</param>
/// <param name="TokenId">The <c>jti</c> claim; null for an unsigned command (no replay protection).</param>
/// <param name="Expires">The <c>exp</c> claim: the token is remembered against replay until then.</param>
/// <param name="RequestId">Echoed as <c>id</c> in the result: the <c>jti</c>, or an unsigned command's <c>id</c>.</param>
internal sealed record VerifiedCommand(string Command, string Subject, JsonElement Claims, CommandKey? Key, string? TokenId, DateTimeOffset Expires, string? RequestId)
{
    public bool IsSigned => Key is not null;

    /// <summary>A string claim: null when absent or JSON null; false (and <paramref name="error"/>) when of another type or too long.</summary>
    public bool TryGetString(string name, int maxLength, out string? value, out string? error)
    {
        value = null;
        error = null;
        if (!Claims.TryGetProperty(name, out JsonElement element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            error = $"claim \"{name}\" must be a string";
            return false;
        }

        value = element.GetString()!;
        if (value.Length > maxLength)
        {
            error = $"claim \"{name}\" is {value.Length} characters, at most {maxLength}";
            value = null;
            return false;
        }

        return true;
    }

    /// <summary>A positive whole-number claim: null when absent; false (and <paramref name="error"/>) when not a positive integer.</summary>
    public bool TryGetPositiveInteger(string name, out long? value, out string? error)
    {
        value = null;
        error = null;
        if (!Claims.TryGetProperty(name, out JsonElement element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out long number) || number <= 0)
        {
            error = $"claim \"{name}\" must be a positive whole number";
            return false;
        }

        value = number;
        return true;
    }
}
