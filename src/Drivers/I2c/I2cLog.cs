using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers.I2c;

/// <summary>Log messages of the I2C driver. Event ids 8200-8299 are reserved for it.</summary>
internal static partial class I2cLog
{
    [LoggerMessage(EventId = 8201, Level = LogLevel.Information, Message = "I2C device {DeviceId} connected: {Sensor} at 0x{Address:x2} on /dev/i2c-{Bus}")]
    public static partial void Connected(ILogger logger, string deviceId, string sensor, int address, int bus);

    [LoggerMessage(EventId = 8202, Level = LogLevel.Warning, Message = "I2C device {DeviceId}: measurement discarded: {Reason}")]
    public static partial void MeasurementDiscarded(ILogger logger, string deviceId, string reason);
}
