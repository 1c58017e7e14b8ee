using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers;

/// <summary>What the gateway lends a driver instance.</summary>
/// <param name="LoggerFactory">Loggers for the driver's <c>Log</c> class.</param>
/// <param name="TimeProvider">The clock; tests move it.</param>
/// <param name="DataDirectory">The gateway's <c>data_dir</c>, for drivers that keep state (e.g. OPC UA certificates under pki/).</param>
public sealed record DriverContext(ILoggerFactory LoggerFactory, TimeProvider TimeProvider, string DataDirectory)
{
    /// <summary>Where alarms kept by the device itself go (OPC UA conditions); null where nobody takes them (technician tools).</summary>
    public IDeviceAlarmSink? DeviceAlarms { get; init; }

    /// <summary>Where drivers report gauges about their connection for <c>/metrics</c>; null where nobody shows them (technician tools).</summary>
    public IDeviceGaugeSink? DeviceGauges { get; init; }
}
