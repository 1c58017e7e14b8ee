using System.Diagnostics;

namespace SmartCity.Edge.Tests;

/// <summary>Runs a net-snmp command-line tool (snmpget, snmpwalk, snmptrap, snmpinform) to completion, without MIB noise.</summary>
internal static class SnmpTool
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string tool, string persistentDir, params string[] arguments)
    {
        var info = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["MIBS"] = string.Empty;
        info.Environment["MIBDIRS"] = "/nonexistent";
        info.Environment["SNMP_PERSISTENT_DIR"] = persistentDir;
        info.Environment["SNMPCONFPATH"] = persistentDir;
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.ProcessExit);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>snmpget/snmpwalk output lines <c>.OID = TYPE: VALUE</c> as (OID, "TYPE: VALUE").</summary>
    public static List<(string Oid, string Value)> ParseLines(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.StartsWith('.'))
            .Select(l => l.Split(" = ", 2))
            .Select(p => (p[0].TrimStart('.'), p.Length > 1 ? p[1].Trim() : string.Empty))
            .ToList();
}
