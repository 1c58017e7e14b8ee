using System.IO.Ports;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers.Modbus;
using SmartCity.Edge.Drivers.Tests.Modbus.Peers;

namespace SmartCity.Edge.Drivers.Tests.Modbus;

/// <summary>
/// <see cref="ModbusClient.ReadDeviceIdentificationAsync"/> against real servers: pymodbus 3.0 serving the identity of
/// tests/peers/modbus/pymodbus_server.py over Modbus TCP, RTU over TCP and RTU through a socat pty (its extended set is
/// larger than one reply, so pymodbus splits it with "more follows"), and libmodbus 3.1.6, which has no FC 43.
/// </summary>
public sealed class ModbusDeviceIdIntegrationTests : IClassFixture<ModbusServersFixture>
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    private readonly ModbusServersFixture _servers;

    public ModbusDeviceIdIntegrationTests(ModbusServersFixture servers)
    {
        _servers = servers;
    }

    public static TheoryData<ModbusServerKind> PymodbusServers => new(ModbusServerKind.PymodbusTcp, ModbusServerKind.PymodbusRtuOverTcp, ModbusServerKind.PymodbusRtuSerial);

    [Theory]
    [MemberData(nameof(PymodbusServers))]
    public async Task ReadDeviceIdentification_Extended_JoinsMoreFollowsRepliesIntoEveryObject(ModbusServerKind kind)
    {
        await using IModbusChannel channel = OpenChannel(await _servers.GetAsync(kind));
        var client = new ModbusClient(channel, 1, s_timeout);

        ModbusDeviceIdentification identity = await client.ReadDeviceIdentificationAsync(ModbusDeviceIdCode.Extended, 0, CancellationToken.None);

        // 13 objects, 246 object bytes at most per reply: pymodbus sends 0x00–0x82, then "more follows" from 0x83.
        Assert.Equal(2, identity.Transactions);
        Assert.Equal(0x83, identity.ConformityLevel);
        Assert.Equal([0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85], identity.Objects.Select(o => (int)o.ObjectId));
        Assert.Equal("SmartCity Test Peers", identity.Find(ModbusDeviceIdObject.VendorName)!.Text);
        Assert.Equal("SC-PYM-1", identity.Find(ModbusDeviceIdObject.ProductCode)!.Text);
        Assert.Equal("3.0.7", identity.Find(ModbusDeviceIdObject.MajorMinorRevision)!.Text);
        Assert.Equal("layout.md fixture", identity.Find(ModbusDeviceIdObject.UserApplicationName)!.Text);
        Assert.Equal([0x00, 0x01, 0x7F, 0xFF], identity.Find(0x80)!.Value);
        Assert.Equal(new string('D', 60), identity.Find(0x85)!.Text);
    }

    [Theory]
    [MemberData(nameof(PymodbusServers))]
    public async Task ReadDeviceIdentification_Basic_ThreeMandatoryObjectsInOneReply(ModbusServerKind kind)
    {
        await using IModbusChannel channel = OpenChannel(await _servers.GetAsync(kind));
        var client = new ModbusClient(channel, 2, s_timeout);

        ModbusDeviceIdentification identity = await client.ReadDeviceIdentificationAsync(ModbusDeviceIdCode.Basic, 0, CancellationToken.None);

        Assert.Equal(1, identity.Transactions);
        Assert.Equal(["VendorName", "ProductCode", "MajorMinorRevision"], identity.Objects.Select(o => o.Name));
    }

    [Fact]
    public async Task ReadDeviceIdentification_IndividualPrivateObject_ReturnsItsBytes()
    {
        await using IModbusChannel channel = OpenChannel(await _servers.GetAsync(ModbusServerKind.PymodbusTcp));
        var client = new ModbusClient(channel, 1, s_timeout);

        ModbusDeviceIdentification identity = await client.ReadDeviceIdentificationAsync(ModbusDeviceIdCode.Individual, 0x81, CancellationToken.None);

        ModbusDeviceIdObject only = Assert.Single(identity.Objects);
        Assert.Equal((0x81, "serial=PY-0001"), (only.ObjectId, only.Text));
    }

    [Fact]
    public async Task ReadDeviceIdentification_LibmodbusWithoutFc43_IllegalFunctionSaysUnsupportedAndLinkStaysUsable()
    {
        await using IModbusChannel channel = OpenChannel(await _servers.GetAsync(ModbusServerKind.LibmodbusTcp));
        var client = new ModbusClient(channel, 1, s_timeout);

        var error = await Assert.ThrowsAsync<ModbusExceptionResponseException>(() => client.ReadDeviceIdentificationAsync(ModbusDeviceIdCode.Basic, 0, CancellationToken.None));

        Assert.Equal((ModbusFunctionCode.EncapsulatedInterfaceTransport, ModbusExceptionCode.IllegalFunction), (error.FunctionCode, error.Code));
        Assert.Contains("device does not support Read Device Identification (FC 43/14)", error.Message, StringComparison.Ordinal);
        Assert.Equal(ModbusErrorScope.Request, error.Scope);

        // Request-scoped: the same connection still reads (holding 0 = int16 -12345, layout.md).
        byte[] data = new byte[2];
        await client.ReadAsync(ModbusFunctionCode.ReadHoldingRegisters, 0, 1, data, CancellationToken.None);
        Assert.Equal(-12345, System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(data));
        Assert.Equal(1, channel.OpenCount);
    }

    private static IModbusChannel OpenChannel(ModbusServer server) => server.Kind switch
    {
        ModbusServerKind.PymodbusTcp or ModbusServerKind.LibmodbusTcp => new ModbusTcpChannel("127.0.0.1", server.Port, TimeProvider.System, NullLogger.Instance),
        ModbusServerKind.PymodbusRtuOverTcp => new ModbusRtuChannel(new ModbusRtuOverTcpLine("127.0.0.1", server.Port, TimeProvider.System), TimeSpan.Zero, echo: false, TimeProvider.System, NullLogger.Instance),
        _ => SerialChannel(server.SerialPort!),
    };

    private static ModbusRtuChannel SerialChannel(string port)
    {
        var options = new ModbusSerialOptions(port, 19200, Parity.None, 8, StopBits.One);
        return new ModbusRtuChannel(new ModbusSerialLine(options), options.FrameGap, echo: false, TimeProvider.System, NullLogger.Instance);
    }
}
