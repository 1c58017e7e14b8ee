using SmartCity.Edge.Drivers.Configuration;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>The options of <c>smartcity-edge test</c>.</summary>
internal sealed class TestArguments
{
    public string? ConfigFile { get; private set; }

    /// <summary>Device ids named with <c>--device</c>; empty: every configured device.</summary>
    public List<string> Devices { get; } = [];

    /// <summary>How long tags that report by themselves (subscriptions, edges) get after the poll.</summary>
    public TimeSpan Wait { get; private set; } = TimeSpan.FromSeconds(2);

    /// <summary>Budget per device for connecting and the first poll.</summary>
    public TimeSpan Timeout { get; private set; } = TimeSpan.FromSeconds(15);

    public bool Json { get; private set; }

    /// <summary><c>--no-upstream</c>: skip the broker and webhook checks (devices only).</summary>
    public bool NoUpstream { get; private set; }

    public bool Help { get; private set; }

    /// <summary>Parses the words after <c>test</c>; false with a message naming the bad word.</summary>
    public bool TryParse(string[] args, out string? error)
    {
        error = null;
        for (int i = 0; i < args.Length; i++)
        {
            string option = args[i];
            switch (option)
            {
                case "--help" or "-h":
                    Help = true;
                    break;
                case "--json":
                    Json = true;
                    break;
                case "--no-upstream":
                    NoUpstream = true;
                    break;
                case "--config":
                    if (!TryValue(args, ref i, out string? file, out error))
                    {
                        return false;
                    }

                    ConfigFile = file;
                    break;
                case "--device":
                    // "--device a b" and "--device a --device b" both work.
                    if (!TryValue(args, ref i, out string? id, out error))
                    {
                        return false;
                    }

                    Devices.Add(id!);
                    while (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    {
                        Devices.Add(args[++i]);
                    }

                    break;
                case "--wait" or "--timeout":
                    if (!TryValue(args, ref i, out string? text, out error))
                    {
                        return false;
                    }

                    if (!DurationParser.TryParse(text!, out TimeSpan duration) || duration < TimeSpan.Zero || (option == "--timeout" && duration == TimeSpan.Zero))
                    {
                        error = $"{option} '{text}' is not a duration such as 500ms or 2s";
                        return false;
                    }

                    if (option == "--wait")
                    {
                        Wait = duration;
                    }
                    else
                    {
                        Timeout = duration;
                    }

                    break;
                default:
                    error = $"unknown option '{option}'";
                    return false;
            }
        }

        return true;
    }

    private static bool TryValue(string[] args, ref int i, out string? value, out string? error)
    {
        if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
        {
            value = null;
            error = $"{args[i]} needs a value";
            return false;
        }

        value = args[++i];
        error = null;
        return true;
    }
}
