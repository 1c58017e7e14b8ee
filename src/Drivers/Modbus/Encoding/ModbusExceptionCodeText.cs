using System.Globalization;

namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>Names and technician hints for exception codes, as they appear in readings and logs: <c>IllegalDataAddress (02)</c>.</summary>
internal static class ModbusExceptionCodeText
{
    /// <summary>The name and the two-digit hex code, e.g. <c>IllegalDataAddress (02)</c>; unknown codes read <c>Unknown (3F)</c>.</summary>
    public static string Name(ModbusExceptionCode code)
    {
        string name = Enum.IsDefined(code) ? code.ToString() : "Unknown";
        return name + " (" + ((byte)code).ToString("X2", CultureInfo.InvariantCulture) + ")";
    }

    /// <summary>What a technician should check, for a reply to <paramref name="function"/>: Read Device Identification has its own meanings.</summary>
    public static string Hint(ModbusFunctionCode function, ModbusExceptionCode code) => (function, code) switch
    {
        (ModbusFunctionCode.EncapsulatedInterfaceTransport, ModbusExceptionCode.IllegalFunction) => "device does not support Read Device Identification (FC 43/14)",
        (ModbusFunctionCode.EncapsulatedInterfaceTransport, ModbusExceptionCode.IllegalDataAddress) => "the device has no identification object with this id (AP §6.21, individual access)",
        (ModbusFunctionCode.EncapsulatedInterfaceTransport, ModbusExceptionCode.IllegalDataValue) => "the device rejected the Read Device ID code; try --level basic",
        _ => Hint(code),
    };

    /// <summary>
    /// The hint for a tag whose reading reports <paramref name="reason"/> (a code name from <see cref="Name"/>): what was
    /// sent and what to check, e.g. <c>sent holding address 250 (0-based): the device has no such address; …</c>. The one
    /// text the driver logs, <c>smartcity-edge test</c> prints and (as <see cref="Hint(ModbusExceptionCode)"/>)
    /// <c>smartcity-edge modbus read</c> prints. Null for a reason that is not an exception code.
    /// </summary>
    public static string? TagHint(ModbusAddress address, string reason)
    {
        foreach (ModbusExceptionCode code in Enum.GetValues<ModbusExceptionCode>())
        {
            if (reason == Name(code))
            {
                return $"sent {ModbusTableInfo.Name(address.Table)} address {address.Offset.ToString(CultureInfo.InvariantCulture)} (0-based): {Hint(code)}";
            }
        }

        return null;
    }

    /// <summary>What a technician should check (modbus-notes §3).</summary>
    public static string Hint(ModbusExceptionCode code) => code switch
    {
        ModbusExceptionCode.IllegalFunction => "the device does not support this function code; check the table (holding/input/coil/discrete)",
        ModbusExceptionCode.IllegalDataAddress => "the device has no such address; check the register map (0-based addresses: often off by one)",
        ModbusExceptionCode.IllegalDataValue => "the device rejected the quantity or value",
        ModbusExceptionCode.ServerDeviceFailure => "the device failed while executing the request",
        ModbusExceptionCode.ServerDeviceBusy => "the device is busy; it will be asked again",
        ModbusExceptionCode.GatewayPathUnavailable => "the gateway has no route to this unit id; check unit_id and the gateway's map",
        ModbusExceptionCode.GatewayTargetDeviceFailedToRespond => "the serial device behind the gateway did not answer; check its wiring, address and baud rate",
        _ => "see the device's manual",
    };
}
