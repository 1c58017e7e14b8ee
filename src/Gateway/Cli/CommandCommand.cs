using System.Globalization;
using SmartCity.Edge.Drivers.Configuration;
using SmartCity.Edge.Gateway.Commands;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>
/// <c>smartcity-edge command ack …</c>: prints a signed command token for <c>{prefix}/commands/…</c>, so a technician
/// (or a test) can send one with <c>mosquitto_pub -t {prefix}/commands/ack -m "$(smartcity-edge command ack …)"</c>.
/// Each command is a subcommand with its own claims; the key options are common to all.
/// </summary>
internal sealed class CommandCommand : ICliCommand
{
    private static readonly TimeSpan s_defaultLifetime = TimeSpan.FromSeconds(60);

    public string Name => "command";

    public string Usage =>
        "command ack ALARM --occurrence SEQ --key FILE --kid ID --by NAME [--comment TEXT] [--alg ES256|HS256] [--ttl 60s]\n" +
        "   prints a signed ack for {prefix}/commands/ack; FILE: the desk's ES256 private key (PEM) or HS256 secret file";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.Length == 0 || args[0] is not AckCommand.Name)
        {
            return Task.FromResult(Fail("say 'command ack ALARM --occurrence SEQ --key FILE --kid ID --by NAME'"));
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

        string[] known = ["--key", "--kid", "--by", "--alg", "--ttl", "--occurrence", "--comment"];
        if (options.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
        {
            return Task.FromResult(Fail($"unknown option {unknown}"));
        }

        if (ReadSigning(options, out CommandSigningKey? key, out string? subject, out TimeSpan lifetime) is { } error)
        {
            return Task.FromResult(Fail(error));
        }

        if (positional.Count != 1)
        {
            return Task.FromResult(Fail("give one ALARM id"));
        }

        if (!options.TryGetValue("--occurrence", out string? occurrenceText) || !long.TryParse(occurrenceText, NumberStyles.None, CultureInfo.InvariantCulture, out long occurrence) || occurrence <= 0)
        {
            return Task.FromResult(Fail("--occurrence SEQ is required: the seq of the alarm's active transition (its \"occurrence\" on later messages and on the status page)"));
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

        Console.Out.WriteLine(CommandTokenWriter.Sign(key!, AckCommand.Name, subject!, TimeProvider.System.GetUtcNow(), lifetime, claims));
        return Task.FromResult(0);
    }

    /// <summary>The options every command shares: the key, who signs, how long the token lives. Returns an error or null.</summary>
    private static string? ReadSigning(Dictionary<string, string> options, out CommandSigningKey? key, out string? subject, out TimeSpan lifetime)
    {
        key = null;
        lifetime = s_defaultLifetime;
        if (!options.TryGetValue("--by", out subject) || subject.Length == 0)
        {
            return "--by NAME is required: the operator, shown as ack.by";
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
