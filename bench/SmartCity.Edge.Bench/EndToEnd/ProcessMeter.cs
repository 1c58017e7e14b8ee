using System.Globalization;

namespace SmartCity.Edge.Bench.EndToEnd;

/// <summary>
/// What Linux counts for one process, read from /proc: CPU time (utime + stime of every thread, /proc/PID/stat),
/// bytes it caused to be written to storage (/proc/PID/io write_bytes: dirtied page-cache pages and direct writes,
/// counted when dirtied; 0 on tmpfs), and memory (/proc/PID/status VmRSS and VmHWM).
/// </summary>
internal static class ProcessMeter
{
    private static readonly Lazy<long> s_ticksPerSecond = new(() =>
        long.Parse(BenchProcess.RunToEndAsync("getconf", ["CLK_TCK"], CancellationToken.None).GetAwaiter().GetResult().Trim(), CultureInfo.InvariantCulture));

    public static ProcessSample Sample(int pid) => new(CpuTime(pid), WriteBytes(pid), RunQueueWait(pid));

    public static TimeSpan CpuTime(int pid)
    {
        // Fields after the command name (which may hold spaces and parentheses): state is field 3, utime 14, stime 15.
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / (double)s_ticksPerSecond.Value);
    }

    /// <summary>
    /// Time its threads spent runnable but waiting for a CPU (second field of /proc/PID/task/TID/schedstat, summed
    /// over the live threads): how much other load on its core held it back.
    /// </summary>
    public static TimeSpan RunQueueWait(int pid)
    {
        long nanoseconds = 0;
        foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                nanoseconds += long.Parse(File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ')[1], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }

        return TimeSpan.FromTicks(nanoseconds / 100);
    }

    public static long WriteBytes(int pid) => Field($"/proc/{pid}/io", "write_bytes:");

    /// <summary>Resident set now (VmRSS) and its peak since the process started (VmHWM), in bytes.</summary>
    public static (long Rss, long Peak) Memory(int pid) =>
        (Field($"/proc/{pid}/status", "VmRSS:") * 1024, Field($"/proc/{pid}/status", "VmHWM:") * 1024);

    /// <summary>The file system type under a folder, e.g. ext4 or tmpfs (findmnt).</summary>
    public static string FileSystemType(string directory) =>
        BenchProcess.RunToEndAsync("findmnt", ["-n", "-o", "FSTYPE", "-T", directory], CancellationToken.None).GetAwaiter().GetResult().Trim();

    private static long Field(string path, string name)
    {
        foreach (string line in File.ReadLines(path))
        {
            if (line.StartsWith(name, StringComparison.Ordinal))
            {
                return long.Parse(line[name.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"{path} has no {name}");
    }
}

/// <summary>Counters of one process at one instant; the window's figures are differences of two.</summary>
internal readonly record struct ProcessSample(TimeSpan Cpu, long WriteBytes, TimeSpan RunQueueWait);
