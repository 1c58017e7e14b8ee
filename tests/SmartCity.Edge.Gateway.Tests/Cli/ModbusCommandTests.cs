using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Cli;

/// <summary>
/// The technician's <c>smartcity-edge modbus</c> tool, run as the real binary against a real pymodbus server serving
/// tests/peers/modbus/layout.md.
/// </summary>
public sealed class ModbusCommandTests : IAsyncLifetime
{
    private PeerProcess _server = null!;

    public async Task InitializeAsync() =>
        _server = await PeerProcess.StartAsync("/usr/bin/python3", Path.Combine(PeerProcess.PeersDirectory, "modbus", "pymodbus_server.py"), "tcp", "0", "--quiet");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Read_Int32BigEndian_PrintsRawRegistersAndDecodedValue()
    {
        (int exitCode, string stdout, string stderr) = await RunAsync("holding:100", "--count", "1", "--type", "int32", "--order", "ABCD");

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("raw: F8A4 32EB", stdout, StringComparison.Ordinal);
        Assert.Matches(@"holding:100\s+int32 ABCD\s+-123456789", stdout);
    }

    [Fact]
    public async Task Read_Float32WordSwapped_DecodesTheServersValue()
    {
        // Block k=1 (CDAB) starts at 140; its float32 is at +4.
        (int exitCode, string stdout, string stderr) = await RunAsync("holding:144", "--count", "1", "--type", "float32", "--order", "CDAB");

        Assert.True(exitCode == 0, stderr);
        Assert.Matches(@"holding:144\s+float32 CDAB\s+-1234\.5", stdout);
    }

    [Fact]
    public async Task Read_MissingRegister_NamesTheExceptionAndExitsThree()
    {
        (int exitCode, string stdout, string stderr) = await RunAsync("holding:505", "--count", "1");

        Assert.Equal(3, exitCode);
        Assert.Contains("IllegalDataAddress (02)", stdout + stderr, StringComparison.Ordinal);
    }

    private Task<(int ExitCode, string StandardOutput, string StandardError)> RunAsync(params string[] arguments) =>
        GatewayProcess.RunToEndAsync(["modbus", "read", "--host", "127.0.0.1", "--port", _server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--unit", "1", .. arguments]);
}
