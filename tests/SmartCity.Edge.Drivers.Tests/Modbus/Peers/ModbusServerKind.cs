namespace SmartCity.Edge.Drivers.Tests.Modbus.Peers;

/// <summary>The independent servers and transports the integration tests run against.</summary>
public enum ModbusServerKind
{
    PymodbusTcp,
    PymodbusRtuOverTcp,
    PymodbusRtuSerial,
    LibmodbusTcp,
    LibmodbusRtuSerial,
}
