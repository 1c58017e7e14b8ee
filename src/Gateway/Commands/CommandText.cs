using System.Text;

namespace SmartCity.Edge.Gateway.Commands;

/// <summary>
/// Untrusted text from a command (a key id, an alarm id, a topic) made safe to quote in a reply or a log line:
/// control characters replaced, length capped, so a forged command cannot forge log lines or flood them.
/// </summary>
internal static class CommandText
{
    private const int MaxQuoted = 80;

    public static string Quote(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, MaxQuoted) + 3);
        builder.Append('\'');
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (builder.Length > MaxQuoted)
            {
                builder.Append('…');
                break;
            }

            builder.Append(Rune.IsControl(rune) ? "?" : rune.ToString());
        }

        return builder.Append('\'').ToString();
    }
}
