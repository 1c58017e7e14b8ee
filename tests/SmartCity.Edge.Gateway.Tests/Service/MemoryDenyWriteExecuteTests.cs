using SmartCity.Edge.Gateway.Tests.Cli;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Service;

/// <summary>
/// The unit sets <c>MemoryDenyWriteExecute=yes</c> for the native AOT build and install.sh turns it off for a JIT
/// build. Both halves of that rule, under the seccomp filter systemd installs for the directive
/// (tests/peers/systemd/memory-deny-write-execute.py): the AOT build runs the park, the JIT build cannot start.
/// tests/run.sh runs this once per build.
/// </summary>
public sealed class MemoryDenyWriteExecuteTests : IDisposable
{
    private static readonly string[] s_underFilter =
        ["/usr/bin/python3", Path.Combine(PeerProcess.PeersDirectory, "systemd", "memory-deny-write-execute.py")];

    private readonly string _directory = Directory.CreateTempSubdirectory("edge-mdwe-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task UnderTheFilter_NativeAotBuildRunsThePark_JitBuildCannotStart()
    {
        string config = TestConfigs.Write(_directory, $"""
            gateway:
              id: mdwe-gw
              data_dir: {Path.Combine(_directory, "data")}
            devices:
              - id: counter
                driver: simulator
                poll_interval: 50ms
                tags:
                  - id: count
                    signal: counter
                    min: 0
                    max: 1000000
            upstream:
              console: true
            """);
        await using GatewayProcess gateway = GatewayProcess.StartUnder(s_underFilter, "run", "--config", config);

        if (GatewayProcess.NativeBinary is not null)
        {
            // No code is generated at run time: polls, the SQLite buffer and the console upstream all work.
            await gateway.WaitForLogAsync("Device counter (simulator) connected", TestTimeouts.Long);
            DateTime deadline = DateTime.UtcNow + TestTimeouts.Long;
            while (gateway.StandardOutput.Count(l => l.Contains("/telemetry/counter", StringComparison.Ordinal)) < 5)
            {
                Assert.True(DateTime.UtcNow < deadline && !gateway.HasExited, "no telemetry under the filter:\n" + gateway.Log);
                await Task.Delay(50); // polling a count, not synchronising on time
            }

            await gateway.TerminateAsync();
            Assert.Equal(0, gateway.ExitCode);
        }
        else
        {
            // The JIT needs writable+executable memory: the runtime dies before the host starts.
            await gateway.WaitForExitAsync();
            Assert.NotEqual(0, gateway.ExitCode);
            Assert.DoesNotContain("connected", gateway.Log, StringComparison.Ordinal);
        }
    }
}
