using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// Opens the channel a <see cref="ModbusLinkSettings"/> describes: the one place that chooses between Modbus TCP, RTU
/// over TCP and RTU on a serial port. The driver's registry shares what it opens between the devices of one gateway or
/// bus; the technician CLI opens one for itself. Usable without a container.
/// </summary>
public static class ModbusLink
{
    public static IModbusChannel Create(ModbusLinkSettings link, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(link);
        return link.Kind switch
        {
            ModbusTransportKind.Tcp => new ModbusTcpChannel(link.Host, link.Port, time, logger),
            ModbusTransportKind.RtuOverTcp => new ModbusRtuChannel(new ModbusRtuOverTcpLine(link.Host, link.Port, time), TimeSpan.Zero, link.Echo, time, logger),
            _ => new ModbusRtuChannel(new ModbusSerialLine(link.Serial!), link.Serial!.FrameGap, link.Echo, time, logger),
        };
    }
}
