using System.Globalization;
using SmartCity.Edge.Drivers.Configuration;
using SmartCity.Edge.Gateway.Commands;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>
/// <c>smartcity-edge command ack …</c> and <c>command write …</c>: print a signed command token for
/// <c>{prefix}/commands/…</c>, so a technician (or a test) can send one with
/// <c>mosquitto_pub -t {prefix}/commands/write -m "$(smartcity-edge command write …)"</c>.
/// Each command is a subcommand with its own claims; the key options are common to all.
/// </summary>
internal sealed class CommandCommand : ICliCommand
{
    private static readonly TimeSpan s_defaultLifetime = TimeSpan.FromSeconds(60);

    public string Name => "command";

    public string Usage =>
        "command ack ALARM --occurrence SEQ --key FILE --kid ID --by NAME [--comment TEXT] [--alg ES256|HS256] [--ttl 60s]\n" +
        "   prints a signed ack for {prefix}/commands/ack; FILE: the desk's ES256 private key (PEM) or HS256 secret file\n" +
        "command write DEVICE/TAG VALUE --key FILE --kid ID --by NAME [--expect VALUE] [--alg ES256|HS256] [--ttl 60s]\n" +
        "   prints a signed write for {prefix}/commands/write; VALUE: true, false, a number, or text (\"42\" in double quotes is text)";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.Length == 0 || args[0] is not (AckCommand.Name or WriteCommand.Name))
        {
            return Task.FromResult(Fail("say 'command ack ALARM --occurrence SEQ …' or 'command write DEVICE/TAG VALUE …' (--key FILE --kid ID --by NAME)"));
        }

        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var positional = new List<string>();
        for (int i = 1; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                if (i + 1 >= args.Length)
                {
                    return Task.FromResult(Fail($"{args[i]} needs a value"));
                }

                options[args[i]] = args[++i];
            }
            else
            {
                positional.Add(args[i]);
            }
        }

        string[] known = args[0] == AckCommand.Name
            ? ["--key", "--kid", "--by", "--alg", "--ttl", "--occurrence", "--comment"]
            : ["--key", "--kid", "--by", "--alg", "--ttl", "--expect"];
        if (options.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
        {
            return Task.FromResult(Fail($"unknown option {unknown}"));
        }

        if (ReadSigning(options, out CommandSigningKey? key, out string? subject, out TimeSpan lifetime) is { } error)
        {
            return Task.FromResult(Fail(error));
        }

        Dictionary<string, object>? claims = args[0] == AckCommand.Name ? AckClaims(positional, options, out error) : WriteClaims(positional, options, out error);
        if (claims is null)
        {
            return Task.FromResult(Fail(error!));
        }

        Console.Out.WriteLine(CommandTokenWriter.Sign(key!, args[0], subject!, TimeProvider.System.GetUtcNow(), lifetime, claims));
        return Task.FromResult(0);
    }

    private static Dictionary<string, object>? AckClaims(List<string> positional, Dictionary<string, string> options, out string? error)
    {
        error = null;
        if (positional.Count != 1)
        {
            error = "give one ALARM id";
            return null;
        }

        if (!options.TryGetValue("--occurrence", out string? occurrenceText) || !long.TryParse(occurrenceText, NumberStyles.None, CultureInfo.InvariantCulture, out long occurrence) || occurrence <= 0)
        {
            error = "--occurrence SEQ is required: the seq of the alarm's active transition (its \"occurrence\" on later messages and on the status page)";
            return null;
        }

        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["alarm"] = positional[0],
            ["occurrence"] = occurrence,
        };
        if (options.TryGetValue("--comment", out string? comment))
        {
            claims["comment"] = comment;
        }

        return claims;
    }

    private static Dictionary<string, object>? WriteClaims(List<string> positional, Dictionary<string, string> options, out string? error)
    {
        error = null;
        int slash = positional.Count == 2 ? positional[0].IndexOf('/', StringComparison.Ordinal) : -1;
        if (slash <= 0 || slash == positional[0].Length - 1)
        {
            error = "give DEVICE/TAG and VALUE, e.g. 'command write door-contacts/release true'";
            return null;
        }

        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["device"] = positional[0][..slash],
            ["tag"] = positional[0][(slash + 1)..],
            ["value"] = ParseValue(positional[1]),
        };
        if (options.TryGetValue("--expect", out string? expect))
        {
            claims["expect"] = ParseValue(expect);
        }

        return claims;
    }

    /// <summary>true/false, a whole number, a finite number, text in double quotes, or else the text as given.</summary>
    private static object ParseValue(string text) => text switch
    {
        "true" => true,
        "false" => false,
        _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long whole) => whole,
        _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && double.IsFinite(number) => number,
        _ when text.Length >= 2 && text[0] == '"' && text[^1] == '"' => text[1..^1],
        _ => text,
    };

    /// <summary>The options every command shares: the key, who signs, how long the token lives. Returns an error or null.</summary>
    private static string? ReadSigning(Dictionary<string, string> options, out CommandSigningKey? key, out string? subject, out TimeSpan lifetime)
    {
        key = null;
        lifetime = s_defaultLifetime;
        if (!options.TryGetValue("--by", out subject) || subject.Length == 0)
        {
            return "--by NAME is required: the operator (shown as ack.by, and as who in the audit trail)";
        }

        if (!options.TryGetValue("--kid", out string? kid) || kid.Length == 0)
        {
            return "--kid ID is required: the id of the key in the gateway's commands.keys";
        }

        if (!options.TryGetValue("--key", out string? path))
        {
            return "--key FILE is required: the ES256 private key (PEM) or the HS256 secret file";
        }

        CommandKeyAlgorithm? algorithm = null;
        if (options.TryGetValue("--alg", out string? alg))
        {
            if (!Enum.TryParse(alg, ignoreCase: false, out CommandKeyAlgorithm parsed) || !Enum.IsDefined(parsed))
            {
                return "--alg is ES256 or HS256";
            }

            algorithm = parsed;
        }

        if (options.TryGetValue("--ttl", out string? ttl) && (!DurationParser.TryParse(ttl, out lifetime) || lifetime <= TimeSpan.Zero))
        {
            return $"--ttl '{ttl}' is not a duration such as 60s or 5m";
        }

        key = CommandSigningKey.Load(path, kid, algorithm, out string? error);
        return error;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("smartcity-edge command: " + message);
        return 2;
    }
}
