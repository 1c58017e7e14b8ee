using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers.Modbus;
using SmartCity.Edge.Drivers.Tests.Modbus.Peers;

namespace SmartCity.Edge.Drivers.Tests.Modbus;

/// <summary>A driver created the way the gateway's supervisor will: factory → ReadSettings → Create → ConnectAsync.</summary>
internal sealed class ModbusDriverHarness : IAsyncDisposable
{
    private ModbusDriverHarness(ModbusDriver driver, ModbusDeviceSettings settings, CollectingSink sink)
    {
        Driver = driver;
        Settings = settings;
        Sink = sink;
    }

    public ModbusDriver Driver { get; }

    public ModbusDeviceSettings Settings { get; }

    public CollectingSink Sink { get; }

    public static DriverContext Context { get; } = new(NullLoggerFactory.Instance, TimeProvider.System, Path.GetTempPath());

    /// <summary>Creates (without connecting) a driver for <paramref name="server"/> with the device keys and tags given.</summary>
    public static ModbusDriverHarness Create(ModbusDriverFactory factory, ModbusServer server, string deviceYaml, string tagsYaml, DriverContext? context = null)
    {
        string yaml = "id: dev\n" + server.LinkYaml + deviceYaml + "tags:\n" + tagsYaml;
        (DeviceDescriptor device, ModbusDeviceSettings settings) = ModbusTestDevice.Read(factory, yaml);
        var driver = (ModbusDriver)factory.Create(device, settings, context ?? Context);
        return new ModbusDriverHarness(driver, settings, new CollectingSink(device.Tags));
    }

    public static async Task<ModbusDriverHarness> ConnectAsync(ModbusDriverFactory factory, ModbusServer server, string deviceYaml, string tagsYaml, DriverContext? context = null)
    {
        ModbusDriverHarness harness = Create(factory, server, deviceYaml, tagsYaml, context);
        await harness.Driver.ConnectAsync(harness.Sink, CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Passing);
        return harness;
    }

    public async Task<Dictionary<string, Reading>> PollAsync()
    {
        Sink.Clear();
        await Driver.PollAsync(CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Passing);
        return Sink.Latest();
    }

    /// <summary>A read of input:999 that the request-counting tests use as a marker.</summary>
    public async Task MarkerAsync()
    {
        byte[] data = new byte[2];
        await Driver.Client!.ReadAsync(ModbusFunctionCode.ReadInputRegisters, 999, 1, data, CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Passing);
    }

    public ValueTask DisposeAsync() => Driver.DisposeAsync();
}
