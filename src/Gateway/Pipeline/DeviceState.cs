namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>A device supervisor's connection state.</summary>
public enum DeviceState
{
    Starting,
    Online,
    Offline,
    Stopped,
}
