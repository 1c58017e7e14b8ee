namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>Read Device ID code of a Read Device Identification request (AP §6.21): which objects to read, and how.</summary>
public enum ModbusDeviceIdCode : byte
{
    /// <summary>Stream access to the basic objects 0x00–0x02 (mandatory in every device that implements FC 43/14).</summary>
    Basic = 0x01,

    /// <summary>Stream access to the basic and regular objects 0x00–0x06.</summary>
    Regular = 0x02,

    /// <summary>Stream access to every object, the private ones (0x80–0xFF) included.</summary>
    Extended = 0x03,

    /// <summary>One object, by its id ("individual access").</summary>
    Individual = 0x04,
}
