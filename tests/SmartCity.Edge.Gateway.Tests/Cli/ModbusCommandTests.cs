using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Cli;

/// <summary>
/// The technician's <c>smartcity-edge modbus</c> tool, run as the real binary against a real pymodbus server serving
/// tests/peers/modbus/layout.md (and its identity for <c>modbus identify</c>), and libmodbus for a device without FC 43.
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

    [Fact]
    public async Task Identify_Extended_PrintsEveryObjectAcrossMoreFollowsReplies()
    {
        (int exitCode, string stdout, string stderr) = await IdentifyAsync(_server.Port, "--level", "extended");

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("extended identification (FC 43/14), 13 objects in 2 replies", stdout, StringComparison.Ordinal);
        Assert.Matches(@"ConformityLevel\s+0x83 \(extended; individual access too\)", stdout);
        Assert.Matches(@"VendorName\s+""SmartCity Test Peers""", stdout);
        Assert.Matches(@"ProductCode\s+""SC-PYM-1""", stdout);
        Assert.Matches(@"MajorMinorRevision\s+""3\.0\.7""", stdout);
        Assert.Matches(@"VendorUrl\s+""https://example\.invalid/pymodbus""", stdout);
        Assert.Matches(@"ProductName\s+""pymodbus identity peer""", stdout);
        Assert.Matches(@"ModelName\s+""PY-TCP-RTU""", stdout);
        Assert.Matches(@"UserApplicationName\s+""layout\.md fixture""", stdout);
        Assert.Matches(@"Private 0x80\s+hex 00 01 7F FF", stdout);
        Assert.Matches(@"Private 0x81\s+""serial=PY-0001""", stdout);
        Assert.Matches(@"Private 0x85\s+""D{60}""", stdout);
    }

    [Fact]
    public async Task Identify_RtuOverTcpDefaultLevel_PrintsTheThreeBasicObjects()
    {
        await using PeerProcess rtu = await PeerProcess.StartAsync("/usr/bin/python3", Path.Combine(PeerProcess.PeersDirectory, "modbus", "pymodbus_server.py"), "rtu-over-tcp", "0", "--quiet");

        (int exitCode, string stdout, string stderr) = await IdentifyAsync(rtu.Port, "--rtu-over-tcp");

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("basic identification (FC 43/14), 3 objects in 1 reply", stdout, StringComparison.Ordinal);
        Assert.Matches(@"MajorMinorRevision\s+""3\.0\.7""", stdout);
        Assert.DoesNotContain("VendorUrl", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Identify_DeviceWithoutFc43_SaysUnsupportedAndExitsThree()
    {
        await using PeerProcess libmodbus = await PeerProcess.StartAsync(await PeerProcess.LibmodbusServerAsync(), "tcp", "0", "--quiet");

        (int exitCode, string stdout, string stderr) = await IdentifyAsync(libmodbus.Port);

        Assert.True(exitCode == 3, stdout + stderr);
        Assert.Contains("device answered IllegalFunction (01): device does not support Read Device Identification (FC 43/14)", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--level", "full", "--level is basic, regular or extended")]
    [InlineData("--object", "0x1FF", "--object is an object id 0..255")]
    [InlineData("--count", "2", "--count belongs to 'modbus read'")]
    public async Task Identify_BadArgument_ExplainsAndExitsTwo(string option, string value, string expected)
    {
        (int exitCode, _, string stderr) = await IdentifyAsync(_server.Port, option, value);

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    private static Task<(int ExitCode, string StandardOutput, string StandardError)> IdentifyAsync(int port, params string[] arguments) =>
        GatewayProcess.RunToEndAsync(["modbus", "identify", "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--unit", "1", .. arguments]);

    private Task<(int ExitCode, string StandardOutput, string StandardError)> RunAsync(params string[] arguments) =>
        GatewayProcess.RunToEndAsync(["modbus", "read", "--host", "127.0.0.1", "--port", _server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--unit", "1", .. arguments]);
}
