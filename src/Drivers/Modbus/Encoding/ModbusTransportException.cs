namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// The link failed: no answer in time (<c>timeout</c>, request-scoped), connection refused (<c>refused</c>), closed or reset
/// by the peer (<c>closed</c>), host unreachable (<c>unreachable</c>), serial port missing or busy (<c>port</c>).
/// Socket and IO exceptions are mapped to this once, at the transport edge.
/// </summary>
internal sealed class ModbusTransportException : ModbusException
{
    public ModbusTransportException(string message, ModbusErrorScope scope, ModbusFailureKind failure, Exception? innerException = null)
        : base(message, scope, failure, innerException)
    {
    }
}
