namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>Base of every error the Modbus stack raises. Nothing else escapes it (the fuzz test holds it to that).</summary>
public abstract class ModbusException : Exception
{
    protected ModbusException(string message, ModbusErrorScope scope, ModbusFailureKind failure, Exception? innerException = null)
        : base(message, innerException)
    {
        Scope = scope;
        Failure = failure;
    }

    public ModbusErrorScope Scope { get; }

    /// <summary>What failed; code branches on this.</summary>
    public ModbusFailureKind Failure { get; }

    /// <summary>
    /// <see cref="Failure"/> as the short stable word for logs and <see cref="DeviceException.Kind"/>: timeout, refused,
    /// closed, crc, protocol, exception, ...
    /// </summary>
    public string Kind => ModbusFailureKindText.Name(Failure);
}
