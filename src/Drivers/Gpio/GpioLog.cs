using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers.Gpio;

/// <summary>Log messages of the GPIO driver. Event ids 8100-8199 are reserved for it.</summary>
internal static partial class GpioLog
{
    [LoggerMessage(EventId = 8101, Level = LogLevel.Information, Message = "GPIO device {DeviceId} connected on gpiochip{Chip}: {Inputs} inputs, {Outputs} outputs")]
    public static partial void Connected(ILogger logger, string deviceId, int chip, int inputs, int outputs);

    [LoggerMessage(EventId = 8102, Level = LogLevel.Debug, Message = "GPIO {DeviceId}.{TagId} changed to {Value}")]
    public static partial void InputChanged(ILogger logger, string deviceId, string tagId, bool value);

    [LoggerMessage(EventId = 8103, Level = LogLevel.Information, Message = "GPIO output {DeviceId}.{TagId} set to {Value}")]
    public static partial void OutputWritten(ILogger logger, string deviceId, string tagId, bool value);

    [LoggerMessage(EventId = 8104, Level = LogLevel.Error, Message = "GPIO output {DeviceId}.{TagId} (pin {Pin}) could not be returned to its safe state {SafeState}")]
    public static partial void SafeStateFailed(ILogger logger, string deviceId, string tagId, int pin, bool safeState, Exception exception);

    [LoggerMessage(EventId = 8105, Level = LogLevel.Warning, Message = "GPIO {DeviceId}.{TagId}: a change was dropped because {Capacity} readings were waiting for the pipeline")]
    public static partial void ReadingDropped(ILogger logger, string deviceId, string tagId, int capacity);

    [LoggerMessage(EventId = 8106, Level = LogLevel.Debug, Message = "GPIO {DeviceId}.{TagId}: poll found {Value} with no edge event reported; treating it as an edge")]
    public static partial void MissedEdge(ILogger logger, string deviceId, string tagId, bool value);

    [LoggerMessage(EventId = 8107, Level = LogLevel.Error, Message = "GPIO {DeviceId}: delivering edge readings failed")]
    public static partial void DeliveryFailed(ILogger logger, string deviceId, Exception exception);

    [LoggerMessage(EventId = 8108, Level = LogLevel.Warning, Message = "GPIO {DeviceId}: releasing the chip failed")]
    public static partial void ReleaseFailed(ILogger logger, string deviceId, Exception exception);
}
