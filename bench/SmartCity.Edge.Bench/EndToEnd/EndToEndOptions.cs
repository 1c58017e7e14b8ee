using System.Globalization;

namespace SmartCity.Edge.Bench.EndToEnd;

/// <summary>The e2e benchmark's command line (every option has a default; see <see cref="Usage"/>).</summary>
internal sealed record EndToEndOptions(
    IReadOnlyList<LoadShape> Shapes,
    IReadOnlyList<string> Systems,
    int WarmupSeconds,
    int Seconds,
    int Rounds,
    string? NativeBinary,
    string? JitAssembly,
    string? DataDirectory,
    int SystemCpu,
    int PeerCpu,
    bool Breakdown,
    string? Label,
    bool WriteReport)
{
    public const string Aot = "aot";
    public const string Jit = "jit";
    public const string NodeRed = "nodered";

    /// <summary>The native AOT gateway with <c>upstream.sparkplug</c> instead of <c>upstream.mqtt</c> (same load, same broker).</summary>
    public const string AotSparkplug = "aot-spb";

    public const string Usage =
        "[--shapes 10x1000@100ms,200x50@1s] [--systems aot,nodered|aot,jit,nodered|aot,aot-spb] [--warmup 15] [--seconds 30] [--rounds 1] " +
        "[--native PATH] [--jit PATH.dll] [--data-dir DIR] [--system-cpu 1] [--peer-cpu 0] [--breakdown] [--label TEXT] [--no-report]";

    public static EndToEndOptions Parse(string[] args)
    {
        string[] known = ["--shapes", "--systems", "--warmup", "--seconds", "--rounds", "--native", "--jit", "--data-dir", "--system-cpu", "--peer-cpu", "--label"];
        for (int i = 0; i < args.Length; i++)
        {
            if (known.Contains(args[i]))
            {
                i++; // its value
            }
            else if (args[i] is not ("--breakdown" or "--no-report"))
            {
                throw new ArgumentException($"unknown option '{args[i]}'; usage: e2e {Usage}");
            }
        }

        string[] systems = BenchEnvironment.Option(args, "--systems", $"{Aot},{NodeRed}").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string system in systems)
        {
            if (system is not (Aot or Jit or NodeRed or AotSparkplug))
            {
                throw new ArgumentException($"--systems: '{system}' is not one of {Aot}, {Jit}, {NodeRed}, {AotSparkplug}");
            }
        }

        int warmup = BenchEnvironment.IntOption(args, "--warmup", 15);
        int seconds = BenchEnvironment.IntOption(args, "--seconds", 30);
        int rounds = BenchEnvironment.IntOption(args, "--rounds", 1);
        if (warmup < 0 || seconds < 5 || rounds < 1)
        {
            throw new ArgumentException("--warmup must be ≥ 0, --seconds ≥ 5 and --rounds ≥ 1");
        }

        string? native = NullIfEmpty(BenchEnvironment.Option(args, "--native", ""));
        string? jit = NullIfEmpty(BenchEnvironment.Option(args, "--jit", ""));
        foreach (string? path in new[] { native, jit })
        {
            if (path is not null && !File.Exists(path))
            {
                throw new ArgumentException($"{path} does not exist");
            }
        }

        return new EndToEndOptions(
            BenchEnvironment.Option(args, "--shapes", LoadShape.Defaults).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(LoadShape.Parse).ToArray(),
            systems,
            warmup,
            seconds,
            rounds,
            native is null ? null : Path.GetFullPath(native),
            jit is null ? null : Path.GetFullPath(jit),
            NullIfEmpty(BenchEnvironment.Option(args, "--data-dir", "")),
            BenchEnvironment.IntOption(args, "--system-cpu", 1),
            BenchEnvironment.IntOption(args, "--peer-cpu", 0),
            args.Contains("--breakdown"),
            NullIfEmpty(BenchEnvironment.Option(args, "--label", "")),
            !args.Contains("--no-report"));
    }

    /// <summary>The command line that reproduces this run, for the report.</summary>
    public string CommandLine()
    {
        var parts = new List<string> { "dotnet run -c Release --project bench/SmartCity.Edge.Bench -- e2e" };
        parts.Add("--shapes " + string.Join(',', Shapes));
        parts.Add("--systems " + string.Join(',', Systems));
        parts.Add(string.Create(CultureInfo.InvariantCulture, $"--warmup {WarmupSeconds} --seconds {Seconds} --rounds {Rounds}"));
        if (Breakdown)
        {
            parts.Add("--breakdown");
        }

        if (Label is not null)
        {
            parts.Add($"--label \"{Label}\"");
        }

        if (NativeBinary is not null)
        {
            parts.Add("--native " + NativeBinary);
        }

        if (JitAssembly is not null)
        {
            parts.Add("--jit " + JitAssembly);
        }

        return string.Join(' ', parts);
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
