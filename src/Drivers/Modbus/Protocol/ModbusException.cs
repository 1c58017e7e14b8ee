namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>Base of every error the Modbus stack raises. Nothing else escapes it (the fuzz test holds it to that).</summary>
public abstract class ModbusException : Exception
{
    protected ModbusException(string message, ModbusErrorScope scope, string kind, Exception? innerException = null)
        : base(message, innerException)
    {
        Scope = scope;
        Kind = kind;
    }

    public ModbusErrorScope Scope { get; }

    /// <summary>A short stable class for logs and <see cref="DeviceException.Kind"/>: timeout, refused, closed, crc, protocol, exception.</summary>
    public string Kind { get; }
}
