using System.Diagnostics;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Service;

/// <summary>
/// <c>deploy/install.sh</c> run for real, as root, in a private mount namespace (its own copy of /etc, so the
/// service user, /etc/smartcity-edge and the unit it installs stay there) with systemctl offline: a build unpacked
/// by a normal user with loose modes ends up owned by root and writable by root only.
/// </summary>
public sealed class InstallScriptTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-install-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task InstallSh_BuildUnpackedByAnotherUser_ProgramFilesRootOwnedAndWritableByRootOnly()
    {
        Assert.True(Environment.UserName == "root", "install.sh runs as root (CI runs the suite as root)");

        // A published folder as deploy/publish.sh lays it out: the program, and deploy/ beside it.
        string build = Path.Combine(_directory, "build");
        CopyDirectory(Path.GetDirectoryName(GatewayProcess.Executable)!, build);
        CopyDirectory(Path.Combine(SystemdUnitTests.RepositoryRoot(), "deploy"), Path.Combine(build, "deploy"));
        string prefix = Path.Combine(_directory, "opt", "smartcity-edge");
        Directory.CreateDirectory(Path.GetDirectoryName(prefix)!);

        // Unpacked by uid 65534 (nobody) under umask 000: everything owned by that user and writable by all.
        string script = $$"""
            set -euo pipefail
            chown -R 65534:65534 '{{build}}'
            chmod -R a+rwX '{{build}}'
            chmod 0755 '{{_directory}}' '{{_directory}}/opt'
            # Private /etc: useradd, /etc/smartcity-edge and the unit go into a copy that ends with this namespace.
            cp -a /etc '{{_directory}}/etc'
            mount --bind '{{_directory}}/etc' /etc
            SYSTEMD_OFFLINE=1 PREFIX='{{prefix}}' bash '{{build}}/deploy/install.sh'
            echo "---"
            find '{{prefix}}' -printf '%U:%G %m %p\n'
            echo "---"
            id smartcity-edge
            test -L /etc/systemd/system/multi-user.target.wants/smartcity-edge.service
            """;
        (int exitCode, string output) = await RunAsync("unshare", "--mount", "--propagation", "private", "bash", "-c", script);
        Assert.True(exitCode == 0, output);

        string[] sections = output.Split("---\n");
        string[] files = sections[1].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(files, f => f.EndsWith("/smartcity-edge/smartcity-edge", StringComparison.Ordinal) && f.StartsWith("0:0 755 ", StringComparison.Ordinal));
        Assert.True(files.Length > 3, output);
        foreach (string line in files)
        {
            string[] fields = line.Split(' ', 3);
            Assert.True(fields[0] == "0:0", $"not owned by root: {line}");
            int mode = Convert.ToInt32(fields[1], 8);
            Assert.True((mode & 0b000_010_010) == 0, $"writable by group or others: {line}");
        }

        Assert.Contains("uid=", sections[2], StringComparison.Ordinal);
        Assert.Contains("install.sh: done.", sections[0], StringComparison.Ordinal);
    }

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (string file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        foreach (string directory in Directory.EnumerateDirectories(source))
        {
            CopyDirectory(directory, Path.Combine(target, Path.GetFileName(directory)));
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Long);
        return (process.ExitCode, (await stdout) + "\n" + (await stderr));
    }
}
