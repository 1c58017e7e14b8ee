namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>State of a channel's link. Transitions happen in one method per channel, under its lock.</summary>
internal enum ModbusConnectionState
{
    /// <summary>No link; the next request opens one.</summary>
    Closed,

    /// <summary>Link up, requests flow.</summary>
    Open,

    /// <summary>Disposed: every request fails.</summary>
    Disposed,
}
