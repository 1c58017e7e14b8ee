using System.Globalization;

namespace SmartCity.Edge.Bench.EndToEnd;

/// <summary>
/// Where a process's resident memory is, from /proc/PID/smaps_rollup (totals: anonymous vs file-backed, private vs
/// shared) and /proc/PID/smaps (each mapping), grouped by what the mapping is. Anonymous mappings carry no name, so
/// they are told apart by their shape:
/// <list type="bullet">
/// <item>GC heap: the .NET GC reserves one huge range at start (256 GiB with regions) and commits parts of it, so
/// its mappings form one contiguous anonymous run of ≥ 1 GiB;</item>
/// <item>native malloc arenas (glibc, one per thread that allocated, SQLite's page cache among them): a
/// read-write mapping starting on a 64 MiB boundary followed by its reserved rest up to the next one;</item>
/// <item>thread stacks: a read-write mapping right above a small inaccessible guard mapping;</item>
/// <item>the executable's .bss: the anonymous mapping right after its file mappings;</item>
/// <item>[heap]: the brk heap (glibc's main arena); everything else anonymous is "other anonymous".</item>
/// </list>
/// </summary>
internal sealed record MemoryBreakdown(IReadOnlyList<(string Name, long Bytes)> Totals, IReadOnlyList<(string Name, long Bytes)> Groups, long? ManagedHeapBytes)
{
    private const long GcRunThreshold = 1L << 30;
    private const long ArenaSize = 64L << 20;
    private const long GuardMax = 64L << 10;

    public static MemoryBreakdown Read(int pid, long? managedHeapBytes)
    {
        var totals = new List<(string, long)>();
        foreach (string line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
        {
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 3 && parts[2] == "kB" && parts[0] is "Rss:" or "Pss:" or "Anonymous:" or "Private_Dirty:" or "Private_Clean:" or "Shared_Clean:" or "Shared_Dirty:" or "Swap:")
            {
                totals.Add((parts[0].TrimEnd(':'), long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024));
            }
        }

        string executable = File.ResolveLinkTarget($"/proc/{pid}/exe", returnFinalTarget: true)?.FullName ?? string.Empty;
        List<Mapping> mappings = ReadMappings(pid);
        var groups = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int i = 0; i < mappings.Count; i++)
        {
            string group = Classify(mappings, i, executable);
            groups[group] = groups.GetValueOrDefault(group) + mappings[i].Rss;
        }

        return new MemoryBreakdown(totals, groups.OrderByDescending(g => g.Value).Select(g => (g.Key, g.Value)).ToList(), managedHeapBytes);
    }

    private static string Classify(List<Mapping> mappings, int index, string executable)
    {
        Mapping m = mappings[index];
        if (m.Path.Length > 0)
        {
            return m.Path switch
            {
                "[heap]" => "[heap] (brk: glibc main malloc arena)",
                "[stack]" => "[stack] (main thread)",
                _ when m.Path.StartsWith('[') => "kernel ([vdso], [vvar], …)",
                _ when m.Path == executable => $"file: {Path.GetFileName(executable)} (executable image)",
                _ when m.Path.Contains("memfd:doublemapper", StringComparison.Ordinal) => "JIT code (memfd:doublemapper)",
                _ when m.Path.Contains(".so", StringComparison.Ordinal) => "file: shared libraries (.so)",
                _ when m.Path.EndsWith(".dll", StringComparison.Ordinal) => "file: managed assemblies (.dll)",
                _ => "file: other (" + Path.GetFileName(m.Path) + ")",
            };
        }

        // Anonymous right after the executable's last file mapping: its .bss (zero-initialised static data; in a native
        // AOT binary the runtime's and the app's statics).
        if (index > 0 && mappings[index - 1].Path == executable && mappings[index - 1].End == m.Start)
        {
            return $"anon: {Path.GetFileName(executable)} .bss (static data)";
        }

        // Anonymous: find the contiguous run of anonymous mappings it belongs to.
        int first = index;
        while (first > 0 && mappings[first - 1].Path.Length == 0 && mappings[first - 1].End == mappings[first].Start)
        {
            first--;
        }

        int last = index;
        while (last + 1 < mappings.Count && mappings[last + 1].Path.Length == 0 && mappings[last + 1].Start == mappings[last].End)
        {
            last++;
        }

        if (mappings[last].End - mappings[first].Start >= GcRunThreshold)
        {
            return "anon: GC heap (managed objects)";
        }

        bool readWrite = m.Perms.StartsWith("rw", StringComparison.Ordinal);
        if (readWrite && m.Start % ArenaSize == 0 && index + 1 < mappings.Count
            && mappings[index + 1].Path.Length == 0 && mappings[index + 1].Perms.StartsWith("---", StringComparison.Ordinal)
            && mappings[index + 1].Start == m.End && mappings[index + 1].End % ArenaSize == 0)
        {
            return "anon: glibc malloc arenas (native allocations)";
        }

        if (readWrite && index > 0 && mappings[index - 1].Path.Length == 0 && mappings[index - 1].End == m.Start
            && mappings[index - 1].Perms.StartsWith("---", StringComparison.Ordinal) && mappings[index - 1].End - mappings[index - 1].Start <= GuardMax)
        {
            return "anon: thread stacks";
        }

        return "anon: other";
    }

    private static List<Mapping> ReadMappings(int pid)
    {
        var mappings = new List<Mapping>();
        Mapping? current = null;
        foreach (string line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            int dash = line.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && space > dash && !line[..space].EndsWith(':'))
            {
                // 7f0000000000-7f0000021000 rw-p 00000000 00:00 0    [path]
                string[] parts = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                current = new Mapping(
                    long.Parse(line[..dash], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                    long.Parse(line[(dash + 1)..space], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                    parts[1],
                    parts.Length >= 6 ? parts[5].Trim() : string.Empty);
                mappings.Add(current);
            }
            else if (current is not null && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                current.Rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return mappings;
    }

    private sealed class Mapping(long start, long end, string perms, string path)
    {
        public long Start { get; } = start;

        public long End { get; } = end;

        public string Perms { get; } = perms;

        public string Path { get; } = path;

        public long Rss { get; set; }
    }
}
