using System.IO.Ports;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Drivers.Configuration;

namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// <c>driver: modbus-tcp | modbus-rtu | modbus-rtu-over-tcp</c>. Reads and validates every key (see sample.yaml and
/// docs/modbus.md), plans the reads before any socket opens, and owns the registry of shared connections and buses.
/// </summary>
public sealed class ModbusDriverFactory : IDriverFactory
{
    private static readonly Dictionary<string, ModbusByteOrder> s_orders = new(StringComparer.Ordinal)
    {
        ["ABCD"] = ModbusByteOrder.ABCD,
        ["CDAB"] = ModbusByteOrder.CDAB,
        ["BADC"] = ModbusByteOrder.BADC,
        ["DCBA"] = ModbusByteOrder.DCBA,
    };

    private readonly object _sync = new();
    private ModbusConnectionRegistry? _registry;

    public IReadOnlyList<string> DriverNames { get; } = ["modbus-tcp", "modbus-rtu", "modbus-rtu-over-tcp"];

    public DriverSettings ReadSettings(DeviceDescriptor device, ConfigSection deviceSection, IReadOnlyList<ConfigSection> tagSections)
    {
        ModbusTransportKind kind = device.Driver switch
        {
            "modbus-rtu" => ModbusTransportKind.Rtu,
            "modbus-rtu-over-tcp" => ModbusTransportKind.RtuOverTcp,
            _ => ModbusTransportKind.Tcp,
        };

        ModbusLinkSettings link;
        int unitId;
        if (kind == ModbusTransportKind.Rtu)
        {
            string port = deviceSection.GetRequiredString("port");
            int baud = deviceSection.GetInt32("baud", ModbusSerialOptions.DefaultBaudRate, min: ModbusSerialOptions.MinBaudRate, max: ModbusSerialOptions.MaxBaudRate);
            Parity parity = deviceSection.GetChoice("parity", ModbusSerialOptions.DefaultParity, ModbusSerialOptions.ParityNames);
            int dataBits = deviceSection.GetInt32("data_bits", ModbusSerialOptions.DefaultDataBits, min: 7, max: 8);
            StopBits stopBits = deviceSection.GetChoice("stop_bits", ModbusSerialOptions.DefaultStopBits, ModbusSerialOptions.StopBitsNames);
            bool echo = deviceSection.GetBoolean("echo", false);
            link = ModbusLinkSettings.ForSerial(new ModbusSerialOptions(port, baud, parity, dataBits, stopBits), echo);

            // 0 is broadcast (no reply, writes only), 248–255 are reserved (SL §2.2).
            unitId = deviceSection.GetInt32("unit_id", 1, min: 1, max: 247, required: true);
        }
        else
        {
            string host = deviceSection.GetRequiredString("host");
            int port = deviceSection.GetInt32("port", ModbusLinkSettings.DefaultPort, min: 1, max: 65535);
            bool echo = kind == ModbusTransportKind.RtuOverTcp && deviceSection.GetBoolean("echo", false);
            link = ModbusLinkSettings.ForTcp(host, port, kind == ModbusTransportKind.RtuOverTcp, echo);

            // On TCP the unit id is the serial address behind a gateway, or whatever the device insists on (often 1, 0 or 255).
            unitId = kind == ModbusTransportKind.Tcp
                ? deviceSection.GetInt32("unit_id", 1, min: 0, max: 255, required: true)
                : deviceSection.GetInt32("unit_id", 1, min: 1, max: 247, required: true);
        }

        // 1 s: shorter timeouts break slow inverters and TCP→RTU bridges (modbus-notes §8.3).
        TimeSpan timeout = deviceSection.GetDuration("timeout", TimeSpan.FromSeconds(1), min: TimeSpan.FromMilliseconds(10), max: TimeSpan.FromMinutes(1));
        int retries = deviceSection.GetInt32("retries", 1, min: 0, max: 10);
        int maxBlock = deviceSection.GetInt32("max_block", ModbusLimits.MaxReadRegisters, min: 1, max: ModbusLimits.MaxReadRegisters);
        int maxGap = deviceSection.GetInt32("max_gap", 10, min: 0, max: ModbusLimits.MaxReadRegisters - 1);
        int maxInflight = deviceSection.GetInt32("max_inflight", 1, min: 1, max: 16);
        if (maxInflight > 1 && kind != ModbusTransportKind.Tcp)
        {
            deviceSection.Error("max_inflight", $"{maxInflight} needs transaction ids, which only modbus-tcp has; {device.Driver} sends one request at a time (use 1)");
        }

        var tags = new List<ModbusTagSettings>(tagSections.Count);
        for (int i = 0; i < tagSections.Count; i++)
        {
            tags.Add(ReadTag(device.Tags[i].Id, tagSections[i], maxBlock));
        }

        return new ModbusDeviceSettings(link, (byte)unitId, timeout, retries, maxBlock, maxGap, maxInflight, tags);
    }

    public IDeviceDriver Create(DeviceDescriptor device, DriverSettings settings, DriverContext context)
    {
        ModbusConnectionRegistry registry;
        lock (_sync)
        {
            registry = _registry ??= new ModbusConnectionRegistry(context.TimeProvider);
        }

        ILogger logger = context.LoggerFactory.CreateLogger("SmartCity.Edge.Drivers.Modbus");
        return new ModbusDriver(device, (ModbusDeviceSettings)settings, registry, context.TimeProvider, logger);
    }

    public string? Explain(DeviceDescriptor device, DriverSettings settings, int tagIndex, string reason) =>
        settings is ModbusDeviceSettings modbus && tagIndex >= 0 && tagIndex < modbus.Tags.Count
            ? ModbusExceptionCodeText.TagHint(modbus.Tags[tagIndex].Address, reason)
            : null;

    private static ModbusTagSettings ReadTag(string id, ConfigSection tag, int maxBlock)
    {
        string addressText = tag.GetRequiredString("address");
        ModbusAddress address = default;
        bool addressKnown = addressText.Length > 0 && tag.IsValid("address");
        if (addressKnown && !ModbusAddress.TryParse(addressText, out address, out string addressError))
        {
            tag.Error("address", addressError);
            addressKnown = false;
        }

        bool bitTable = ModbusTableInfo.IsBitTable(address.Table);
        string defaultType = bitTable || address.HasBit ? "bool" : "uint16";
        string typeText = tag.GetString("type", defaultType) ?? defaultType;
        bool typeKnown = tag.IsValid("type");
        if (!ModbusTagType.TryParse(typeText, out ModbusTagType type, out string typeError))
        {
            if (typeKnown)
            {
                tag.Error("type", typeError);
            }

            typeKnown = false;
            type = new ModbusTagType(ModbusDataType.UInt16);
        }

        // Checks of the type against the address only when both are what the technician meant: a mistyped address
        // (holding:70000) must not also be reported as a type that does not fit it, nor a mistyped type as too long.
        if (addressKnown && typeKnown)
        {
            if ((bitTable || address.HasBit) && type.DataType != ModbusDataType.Bool)
            {
                tag.Error("type", $"{typeText} does not fit {addressText}: a coil, a discrete input or a register bit is a bool");
            }

            if (!bitTable && address.Offset + type.RegisterCount - 1 > ushort.MaxValue)
            {
                tag.Error("address", $"{typeText} at {addressText} runs past register 65535");
            }
        }

        if (typeKnown && type.RegisterCount > maxBlock)
        {
            tag.Error("type", $"{typeText} spans {type.RegisterCount} registers, more than max_block ({maxBlock}) allows in one request");
        }

        ModbusByteOrder order = tag.GetChoice("order", ModbusByteOrder.ABCD, s_orders);
        double scale = tag.GetDouble("scale", 1);
        double offset = tag.GetDouble("offset", 0);
        if (scale == 0 && tag.IsValid("scale"))
        {
            tag.Error("scale", "0 would make every reading 0; leave scale out for 1");
        }

        if (typeKnown && !type.IsNumeric && (scale != 1 || offset != 0))
        {
            tag.Error(scale != 1 ? "scale" : "offset", $"scale and offset apply to numbers, not to {typeText}");
        }

        return new ModbusTagSettings(id, address, type, order, scale, offset);
    }
}
