namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// The words of <see cref="ModbusFailureKind"/> in logs, metrics (<see cref="DeviceException.Kind"/>) and readings'
/// reasons. They are part of what operators and dashboards match on: they never change.
/// </summary>
public static class ModbusFailureKindText
{
    public static string Name(ModbusFailureKind kind) => kind switch
    {
        ModbusFailureKind.Timeout => "timeout",
        ModbusFailureKind.Refused => "refused",
        ModbusFailureKind.Unreachable => "unreachable",
        ModbusFailureKind.Closed => "closed",
        ModbusFailureKind.Silent => "silent",
        ModbusFailureKind.Port => "port",
        ModbusFailureKind.Crc => "crc",
        ModbusFailureKind.Protocol => "protocol",
        ModbusFailureKind.Exception => "exception",
        _ => "error",
    };
}
