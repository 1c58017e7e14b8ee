using System.Globalization;

namespace SmartCity.Edge.Bench.Service;

/// <summary>A process's memory from /proc: resident set, its peak, and where the resident pages are (smaps).</summary>
internal static class ProcessMemory
{
    /// <summary>VmRSS and VmHWM (peak) in bytes.</summary>
    public static (long Rss, long Peak) Read(int pid)
    {
        long rss = 0;
        long peak = 0;
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line) * 1024;
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line) * 1024;
            }
        }

        return (rss, peak);
    }

    /// <summary>Resident bytes per mapped file (anonymous memory as "(anonymous)"), largest first.</summary>
    public static IEnumerable<(string Name, long Bytes)> TopMappings(int pid, int count)
    {
        var byName = new Dictionary<string, long>(StringComparer.Ordinal);
        string current = "(anonymous)";
        foreach (string line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 5 && parts[0].Contains('-', StringComparison.Ordinal) && !line.StartsWith("VmFlags", StringComparison.Ordinal) && !parts[0].EndsWith(':'))
            {
                current = parts.Length >= 6 ? Path.GetFileName(parts[5]) is { Length: > 0 } file ? file : parts[5] : "(anonymous)";
            }
            else if (line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                byName[current] = byName.GetValueOrDefault(current) + (Kilobytes(line) * 1024);
            }
        }

        return byName.OrderByDescending(p => p.Value).Take(count).Select(p => (p.Key, p.Value));
    }

    /// <summary>Threads of the process (each one holds a stack).</summary>
    public static int Threads(int pid) =>
        int.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Threads:", StringComparison.Ordinal)).Split('\t', ' ').Last(), CultureInfo.InvariantCulture);

    public static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture);

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
