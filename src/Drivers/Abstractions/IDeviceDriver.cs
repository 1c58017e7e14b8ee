namespace SmartCity.Edge.Drivers;

/// <summary>
/// One connection to one configured device. The gateway's device supervisor owns the instance:
/// it calls <see cref="ConnectAsync"/>, then <see cref="PollAsync"/> every poll interval, and on a
/// <see cref="DeviceException"/> disposes the instance, backs off and creates a new one.
/// </summary>
/// <remarks>
/// Push-based drivers (OPC UA subscriptions, GPIO edge events) start delivering readings to the sink from
/// <see cref="ConnectAsync"/> on; their <see cref="PollAsync"/> reads only the tags configured for polling and
/// throws a <see cref="DeviceException"/> when the background connection has been lost, so that one supervisor
/// loop serves both kinds (Telegraf's Input and ServiceInput).
/// </remarks>
public interface IDeviceDriver : IAsyncDisposable
{
    /// <summary>Opens the connection. Throws <see cref="DeviceException"/> with a technician-readable message when the device cannot be reached.</summary>
    ValueTask ConnectAsync(IReadingSink sink, CancellationToken cancellationToken);

    /// <summary>
    /// Reads every polled tag once and publishes a reading per tag to the sink. A failure that concerns a tag
    /// (an exception response, a bad status) becomes a bad-quality reading for that tag; a failure of the
    /// connection throws <see cref="DeviceException"/>.
    /// </summary>
    ValueTask PollAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Writes an output tag (siren, beacon, reset coil, setpoint). Throws <see cref="TagValueRejectedException"/> for a
    /// value the tag's type cannot hold (nothing is sent), <see cref="DeviceTagRefusedException"/> when the device
    /// answers the write with an error, <see cref="DeviceException"/> when it cannot be reached, and
    /// <see cref="NotSupportedException"/> for read-only or unknown tags.
    /// </summary>
    ValueTask WriteAsync(string tagId, TagValue value, CancellationToken cancellationToken);

    /// <summary>
    /// Changes each time the driver re-established its connection on its own, without a failed poll (a Modbus TCP link
    /// the device closed and the next poll reopened). The supervisor treats a change like a reconnect: a device that
    /// restarted between two polls is back in its power-on state, so the outputs of raised alarms are driven again.
    /// Drivers that only connect in <see cref="ConnectAsync"/> keep the default.
    /// </summary>
    long ConnectionEpoch => 0;
}
