namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>How far an error reaches (Kestrel's stream vs connection errors).</summary>
public enum ModbusErrorScope
{
    /// <summary>Only this request failed; the connection stays usable.</summary>
    Request,

    /// <summary>The connection (socket, serial port) is no longer usable and has been closed.</summary>
    Connection,
}
