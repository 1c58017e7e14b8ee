using System.Buffers.Binary;
using System.Globalization;
using System.IO.Ports;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Drivers.Modbus;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>
/// <c>smartcity-edge modbus read|write|identify</c>: asks one Modbus device directly and prints what it answers (values,
/// raw registers, its identification objects, or the exception name), the first thing a technician does on site. Uses
/// the driver's own stack.
/// </summary>
internal sealed class ModbusCommand : ICliCommand
{
    public string Name => "modbus";

    public string Usage =>
        "modbus read  LINK --unit U ADDRESS [--count N] [--type T] [--order ABCD|CDAB|BADC|DCBA] [--timeout 1s]\n" +
        "modbus write LINK --unit U ADDRESS VALUE [--type T] [--order O]\n" +
        "modbus identify LINK --unit U [--level basic|regular|extended] [--object ID]   (FC 43/14: vendor, product, revision)\n" +
        "   LINK: --host H [--port 502] [--rtu-over-tcp]  |  --serial /dev/ttyUSB0 [--baud 9600] [--parity even|odd|none]\n" +
        "         [--data-bits 8] [--stop-bits 1]   ADDRESS: holding:100, input:3, coil:0, discrete:7, holding:100.3";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.Length == 0 || args[0] is not ("read" or "write" or "identify"))
        {
            return Fail("say 'modbus read', 'modbus write' or 'modbus identify'");
        }

        bool write = args[0] == "write";
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var positional = new List<string>();
        for (int i = 1; i < args.Length; i++)
        {
            if (args[i] == "--rtu-over-tcp")
            {
                options[args[i]] = "true";
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                if (i + 1 >= args.Length)
                {
                    return Fail($"{args[i]} needs a value");
                }

                options[args[i]] = args[++i];
            }
            else
            {
                positional.Add(args[i]);
            }
        }

        string[] known = ["--host", "--port", "--rtu-over-tcp", "--serial", "--baud", "--parity", "--data-bits", "--stop-bits", "--unit", "--count", "--type", "--order", "--timeout", "--level", "--object"];
        if (options.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
        {
            return Fail($"unknown option {unknown}");
        }

        if (args[0] == "identify")
        {
            return await IdentifyAsync(options, positional, cancellationToken);
        }

        if (options.Keys.FirstOrDefault(k => k is "--level" or "--object") is { } identifyOnly)
        {
            return Fail($"{identifyOnly} belongs to 'modbus identify'");
        }

        if (positional.Count != (write ? 2 : 1))
        {
            return Fail(write ? "give one ADDRESS and one VALUE" : "give one ADDRESS, e.g. holding:100");
        }

        if (!ModbusAddress.TryParse(positional[0], out ModbusAddress address, out string addressError))
        {
            return Fail(addressError);
        }

        if (!options.TryGetValue("--unit", out string? unitText) || !byte.TryParse(unitText, CultureInfo.InvariantCulture, out byte unit))
        {
            return Fail("--unit U is required (0..255; the device's Modbus address)");
        }

        bool bitTable = ModbusTableInfo.IsBitTable(address.Table);
        string typeText = options.GetValueOrDefault("--type") ?? (bitTable || address.HasBit ? "bool" : "uint16");
        if (!ModbusTagType.TryParse(typeText, out ModbusTagType type, out string typeError))
        {
            return Fail(typeError);
        }

        if (!Enum.TryParse(options.GetValueOrDefault("--order") ?? "ABCD", ignoreCase: false, out ModbusByteOrder order) || !Enum.IsDefined(order))
        {
            return Fail("--order is one of ABCD, CDAB, BADC, DCBA");
        }

        if (!int.TryParse(options.GetValueOrDefault("--count") ?? "1", CultureInfo.InvariantCulture, out int count) || count < 1)
        {
            return Fail("--count is a positive number of values");
        }

        IModbusChannel? channel = CreateChannel(options, out TimeSpan timeout, out string? linkError);
        if (channel is null)
        {
            return Fail(linkError!);
        }

        await using (channel)
        {
            var client = new ModbusClient(channel, unit, timeout);
            try
            {
                return write
                    ? await WriteAsync(client, address, type, order, positional[1], cancellationToken)
                    : await ReadAsync(client, address, type, order, count, cancellationToken);
            }
            catch (ModbusExceptionResponseException ex)
            {
                Console.WriteLine($"device answered {ex.CodeName}: {ex.Hint}");
                return 3;
            }
            catch (ModbusException ex)
            {
                Console.Error.WriteLine($"modbus: {ex.Message} [{ex.Kind}]");
                return 4;
            }
        }
    }

    private static async Task<int> IdentifyAsync(Dictionary<string, string> options, List<string> positional, CancellationToken cancellationToken)
    {
        if (positional.Count != 0)
        {
            return Fail($"'modbus identify' takes no ADDRESS ('{positional[0]}')");
        }

        if (options.Keys.FirstOrDefault(k => k is "--count" or "--type" or "--order") is { } readOnly)
        {
            return Fail($"{readOnly} belongs to 'modbus read' and 'modbus write'");
        }

        if (!options.TryGetValue("--unit", out string? unitText) || !byte.TryParse(unitText, CultureInfo.InvariantCulture, out byte unit))
        {
            return Fail("--unit U is required (0..255; the device's Modbus address)");
        }

        ModbusDeviceIdCode? level = (options.GetValueOrDefault("--level") ?? "basic") switch
        {
            "basic" => ModbusDeviceIdCode.Basic,
            "regular" => ModbusDeviceIdCode.Regular,
            "extended" => ModbusDeviceIdCode.Extended,
            _ => null,
        };
        if (level is null)
        {
            return Fail($"--level is basic, regular or extended, not '{options["--level"]}'");
        }

        // --object ID: individual access (Read Device ID code 04) to one object, for devices whose stream access stops short.
        byte objectId = 0;
        if (options.TryGetValue("--object", out string? objectText))
        {
            if (options.ContainsKey("--level"))
            {
                return Fail("give --level (a category of objects) or --object ID (one object), not both");
            }

            bool hex = objectText.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
            if (!byte.TryParse(hex ? objectText[2..] : objectText, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out objectId))
            {
                return Fail($"--object is an object id 0..255 or 0x00..0xFF, not '{objectText}'");
            }

            level = ModbusDeviceIdCode.Individual;
        }

        IModbusChannel? channel = CreateChannel(options, out TimeSpan timeout, out string? linkError);
        if (channel is null)
        {
            return Fail(linkError!);
        }

        await using (channel)
        {
            var client = new ModbusClient(channel, unit, timeout);
            ModbusDeviceIdentification identity;
            try
            {
                identity = await client.ReadDeviceIdentificationAsync(level.Value, objectId, cancellationToken);
            }
            catch (ModbusExceptionResponseException ex)
            {
                Console.WriteLine($"device answered {ex.CodeName}: {ex.Hint}");
                return 3;
            }
            catch (ModbusException ex)
            {
                Console.Error.WriteLine($"modbus: {ex.Message} [{ex.Kind}]");
                return 4;
            }

            string access = level == ModbusDeviceIdCode.Individual ? $"object 0x{objectId:X2}" : $"{level.Value.ToString().ToLowerInvariant()} identification";
            Console.WriteLine($"unit {unit} at {channel.Endpoint}, {access} (FC 43/14), {identity.Objects.Count} {(identity.Objects.Count == 1 ? "object" : "objects")} in {identity.Transactions} {(identity.Transactions == 1 ? "reply" : "replies")}:");
            Console.WriteLine($"  ConformityLevel      {ModbusDeviceIdResponse.DescribeConformityLevel(identity.ConformityLevel)}");
            foreach (ModbusDeviceIdObject item in identity.Objects)
            {
                string label = item.ObjectId < ModbusDeviceIdObject.FirstPrivate && item.Name != "Reserved" ? item.Name : $"{item.Name} 0x{item.ObjectId:X2}";
                // Text when every byte is printable ASCII, else hex: private objects are often binary (serial numbers, dates).
                string value = item.Text is { } text ? $"\"{text}\"" : "hex " + item.Hex;
                Console.WriteLine($"  {label,-20} {value}");
            }

            return 0;
        }
    }

    private static async Task<int> ReadAsync(ModbusClient client, ModbusAddress address, ModbusTagType type, ModbusByteOrder order, int count, CancellationToken cancellationToken)
    {
        bool bitTable = ModbusTableInfo.IsBitTable(address.Table);
        int quantity = bitTable ? count : (address.HasBit ? 1 : count * type.RegisterCount);
        int limit = bitTable ? ModbusLimits.MaxReadBits : ModbusLimits.MaxReadRegisters;
        if (quantity > limit || address.Offset + quantity - 1 > ushort.MaxValue)
        {
            return Fail($"{quantity} {(bitTable ? "bits" : "registers")} from {address.Offset} is more than one request can read (at most {limit})");
        }

        byte[] data = new byte[ModbusLimits.MaxPduLength];
        int length = await client.ReadAsync(ModbusTableInfo.ReadFunction(address.Table), address.Offset, (ushort)quantity, data, cancellationToken);
        Console.WriteLine($"unit {client.UnitId} at {client.Channel.Endpoint}, {ModbusTableInfo.Name(address.Table)} {address.Offset}..{address.Offset + quantity - 1} (0-based, as sent):");
        if (bitTable)
        {
            for (int i = 0; i < count; i++)
            {
                Console.WriteLine($"  {ModbusTableInfo.Name(address.Table)}:{address.Offset + i}  {(ModbusValueCodec.GetPackedBit(data, i) ? "1 (on)" : "0 (off)")}");
            }

            return 0;
        }

        Console.WriteLine("  raw: " + string.Join(' ', Enumerable.Range(0, length / 2).Select(i => BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(2 * i)).ToString("X4", CultureInfo.InvariantCulture))));
        if (address.HasBit)
        {
            Console.WriteLine($"  {address}  bool  {ModbusValueCodec.Decode(data, type, order, address.Bit, 1, 0)}");
            return 0;
        }

        for (int i = 0; i < count; i++)
        {
            int offset = i * type.RegisterCount;
            TagValue value = ModbusValueCodec.Decode(data.AsSpan(2 * offset, 2 * type.RegisterCount), type, order, -1, 1, 0);
            Console.WriteLine($"  {ModbusTableInfo.Name(address.Table)}:{address.Offset + offset}  {type} {order}  {value}");
        }

        return 0;
    }

    private static async Task<int> WriteAsync(ModbusClient client, ModbusAddress address, ModbusTagType type, ModbusByteOrder order, string valueText, CancellationToken cancellationToken)
    {
        if (!ModbusTableInfo.IsWritable(address.Table) || address.HasBit)
        {
            return Fail($"{address} cannot be written: only coils and whole holding registers can");
        }

        if (address.Table == ModbusTable.Coil)
        {
            bool? on = valueText switch { "1" or "on" or "true" => true, "0" or "off" or "false" => false, _ => null };
            if (on is null)
            {
                return Fail("a coil takes 1|0, on|off or true|false");
            }

            await client.WriteSingleCoilAsync(address.Offset, on.Value, cancellationToken);
            Console.WriteLine($"wrote {address} = {(on.Value ? "on" : "off")} (function 05)");
            return 0;
        }

        TagValue value = type.DataType == ModbusDataType.String ? TagValue.FromString(valueText)
            : double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) ? (long.TryParse(valueText, NumberStyles.Integer, CultureInfo.InvariantCulture, out long whole) ? TagValue.FromInt64(whole) : TagValue.FromDouble(number))
            : TagValue.None;
        if (value.IsNone)
        {
            return Fail($"'{valueText}' is not a number");
        }

        ushort[] registers = new ushort[type.RegisterCount];
        if (!ModbusValueCodec.TryEncode(value, type, order, 1, 0, registers, out string error))
        {
            return Fail(error);
        }

        if (registers.Length == 1)
        {
            await client.WriteSingleRegisterAsync(address.Offset, registers[0], cancellationToken);
        }
        else
        {
            await client.WriteMultipleRegistersAsync(address.Offset, registers, cancellationToken);
        }

        Console.WriteLine($"wrote {address} = {valueText} as {type} {order} (function {(registers.Length == 1 ? "06" : "16")}; registers {string.Join(' ', registers.Select(r => r.ToString("X4", CultureInfo.InvariantCulture)))})");
        return 0;
    }

    /// <summary>The link options and <c>--timeout</c> (default 1 s); null and a message when one is wrong.</summary>
    private static IModbusChannel? CreateChannel(Dictionary<string, string> options, out TimeSpan timeout, out string? error)
    {
        timeout = TimeSpan.FromSeconds(1);
        if (options.TryGetValue("--timeout", out string? timeoutText) && !Drivers.Configuration.DurationParser.TryParse(timeoutText, out timeout))
        {
            error = $"--timeout '{timeoutText}' is not a duration such as 500ms or 2s";
            return null;
        }

        return CreateChannel(options, out error);
    }

    /// <summary>The link of <c>--host</c> or <c>--serial</c>, opened by the driver's own <see cref="ModbusLink"/> with its defaults and names.</summary>
    private static IModbusChannel? CreateChannel(Dictionary<string, string> options, out string? error)
    {
        error = null;
        if (options.TryGetValue("--host", out string? host) == options.ContainsKey("--serial"))
        {
            error = "give either --host H (Modbus TCP) or --serial DEVICE (RTU)";
            return null;
        }

        ModbusLinkSettings link;
        if (host is not null)
        {
            if (!int.TryParse(options.GetValueOrDefault("--port") ?? ModbusLinkSettings.DefaultPort.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
            {
                error = "--port is 1..65535";
                return null;
            }

            link = ModbusLinkSettings.ForTcp(host, port, rtuOverTcp: options.ContainsKey("--rtu-over-tcp"));
        }
        else
        {
            Parity? parity = options.TryGetValue("--parity", out string? parityText)
                ? (ModbusSerialOptions.ParityNames.TryGetValue(parityText, out Parity named) ? named : null)
                : ModbusSerialOptions.DefaultParity;
            StopBits? stopBits = options.TryGetValue("--stop-bits", out string? stopBitsText)
                ? (ModbusSerialOptions.StopBitsNames.TryGetValue(stopBitsText, out StopBits namedStopBits) ? namedStopBits : null)
                : ModbusSerialOptions.DefaultStopBits;
            int baud = ModbusSerialOptions.DefaultBaudRate;
            int dataBits = ModbusSerialOptions.DefaultDataBits;
            if ((options.TryGetValue("--baud", out string? baudText) && !int.TryParse(baudText, CultureInfo.InvariantCulture, out baud)) || baud < ModbusSerialOptions.MinBaudRate
                || (options.TryGetValue("--data-bits", out string? dataBitsText) && !int.TryParse(dataBitsText, CultureInfo.InvariantCulture, out dataBits)) || dataBits is < 7 or > 8
                || parity is null || stopBits is null)
            {
                error = "serial settings: --baud ≥ 300, --parity none|even|odd, --data-bits 7|8, --stop-bits 1|2";
                return null;
            }

            link = ModbusLinkSettings.ForSerial(new ModbusSerialOptions(options["--serial"], baud, parity.Value, dataBits, stopBits.Value));
        }

        return ModbusLink.Create(link, TimeProvider.System, NullLogger.Instance);
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("modbus: " + message);
        return 2;
    }
}
