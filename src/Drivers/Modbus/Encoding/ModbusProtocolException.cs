namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// A reply that breaks the protocol: bad CRC, wrong length or byte count, wrong function or unit id, corrupt MBAP header.
/// Failure is <see cref="ModbusFailureKind.Crc"/> for a CRC mismatch, else <see cref="ModbusFailureKind.Protocol"/>.
/// </summary>
internal sealed class ModbusProtocolException : ModbusException
{
    public ModbusProtocolException(string message, ModbusErrorScope scope, ModbusFailureKind failure = ModbusFailureKind.Protocol)
        : base(message, scope, failure)
    {
    }
}
