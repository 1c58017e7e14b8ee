using System.Text;

namespace SmartCity.Edge.Gateway.Commands;

/// <summary>
/// Untrusted text from a command (a key id, an alarm id, a topic) made safe to quote in a reply or a log line:
/// control characters replaced, length capped, so a forged command cannot forge log lines or flood them.
/// </summary>
internal static class CommandText
{
    private const int MaxQuoted = 80;

    /// <summary>The text in single quotes, made printable (<see cref="Printable"/>).</summary>
    public static string Quote(string text) => "'" + Printable(text) + "'";

    /// <summary>Control characters (line breaks, escapes) replaced by '?', cut after 80 characters.</summary>
    public static string Printable(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, MaxQuoted) + 1);
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (builder.Length >= MaxQuoted)
            {
                builder.Append('…');
                break;
            }

            builder.Append(Rune.IsControl(rune) ? "?" : rune.ToString());
        }

        return builder.ToString();
    }
}
