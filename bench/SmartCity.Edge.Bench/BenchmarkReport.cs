using System.Text;

namespace SmartCity.Edge.Bench;

/// <summary>Writes or replaces one benchmark's section of docs/benchmarks.md, keeping the others.</summary>
internal static class BenchmarkReport
{
    public static void WriteSection(string benchmarkName, string markdownBody)
    {
        string path = Path.Combine(BenchEnvironment.RepositoryRoot, "docs", "benchmarks.md");
        string existing = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n\nFigures written by `bench/` (run on demand, never in CI). Each section says the command that produced it.\n";
        string begin = $"<!-- bench:{benchmarkName}:begin -->";
        string end = $"<!-- bench:{benchmarkName}:end -->";
        string section = $"{begin}\n{markdownBody.TrimEnd()}\n{end}";
        int start = existing.IndexOf(begin, StringComparison.Ordinal);
        int stop = existing.IndexOf(end, StringComparison.Ordinal);
        string updated = start >= 0 && stop > start
            ? existing[..start] + section + existing[(stop + end.Length)..]
            : existing.TrimEnd() + "\n\n" + section + "\n";
        File.WriteAllText(path, updated, new UTF8Encoding(false));
        Console.WriteLine($"wrote section '{benchmarkName}' to {path}");
    }

    /// <summary>One line describing the machine, for each section's header.</summary>
    public static string MachineLine() =>
        $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription.Trim()}, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd}";
}
