namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// A reply that breaks the protocol: bad CRC, wrong length or byte count, wrong function or unit id, corrupt MBAP header.
/// Kind is <c>crc</c> for a CRC mismatch, else <c>protocol</c>.
/// </summary>
internal sealed class ModbusProtocolException : ModbusException
{
    public ModbusProtocolException(string message, ModbusErrorScope scope, string kind = "protocol")
        : base(message, scope, kind)
    {
    }
}
