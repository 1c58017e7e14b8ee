namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>
/// One entry of a command key's <c>allow:</c> list: a command name, optionally narrowed to targets by a pattern after a
/// colon. <c>ack</c> acknowledges any alarm, <c>"ack:fire-*"</c> only alarms whose id matches; later commands name
/// their targets the same way (<c>"write:door-contacts/*"</c>: the tags of one device). <c>*</c> matches any run of
/// characters, including none; nothing else is special.
/// </summary>
public sealed record CommandPermission(string Command, string? Target)
{
    /// <summary>The commands the gateway executes; an <c>allow:</c> entry naming another is a configuration problem.</summary>
    public static readonly IReadOnlyList<string> KnownCommands = ["ack", "write"];

    /// <summary>Parses an <c>allow:</c> entry; on failure <paramref name="error"/> says why (never null then).</summary>
    public static CommandPermission? Parse(string text, out string? error)
    {
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string command = colon < 0 ? text : text[..colon];
        string? target = colon < 0 ? null : text[(colon + 1)..];
        if (!KnownCommands.Contains(command, StringComparer.Ordinal))
        {
            error = $"'{command}' is not a command{Drivers.Configuration.DidYouMean.Hint(command, KnownCommands)} (known: {string.Join(", ", KnownCommands)}; narrow one with a pattern, e.g. \"ack:fire-*\")";
            return null;
        }

        if (target is not null && (target.Length == 0 || target.Length > 200 || !target.All(IsPatternChar)))
        {
            string example = command == "write" ? "write:door-contacts/*" : command + ":fire-*";
            error = $"'{text}': after '{command}:' comes a pattern of letters, digits, '-', '_', '.', '/' and '*' (e.g. \"{example}\")";
            return null;
        }

        error = null;
        return new CommandPermission(command, target);
    }

    /// <summary>True when this entry lets a key send <paramref name="command"/> for <paramref name="target"/> (an alarm id, a device/tag).</summary>
    public bool Allows(string command, string target) =>
        string.Equals(command, Command, StringComparison.Ordinal) && (Target is null || GlobMatches(Target, target));

    public override string ToString() => Target is null ? Command : Command + ":" + Target;

    private static bool IsPatternChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or '*';

    /// <summary>
    /// Glob with <c>*</c> only, in linear time: on a mismatch, backtrack to just after the last star and let it swallow
    /// one more character (no recursion, so a hostile target cannot make it exponential).
    /// </summary>
    private static bool GlobMatches(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
            }
            else if (p < pattern.Length && pattern[p] == text[t])
            {
                p++;
                t++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
