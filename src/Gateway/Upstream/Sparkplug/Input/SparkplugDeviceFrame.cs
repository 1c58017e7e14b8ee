namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Input;

/// <summary>
/// What the Sparkplug edge node needs of one device poll: the device, its tag table, the readings, and the range of
/// gateway-wide record seqs they hold (the delivery cursor moves by it). Kept thin on purpose: it is the shape of the
/// record path's frames (issue 12), rendered into DDATA at publish time.
/// </summary>
/// <param name="DeviceId">The device id (the Sparkplug device id).</param>
/// <param name="Tags">The device's tag table when the frame was read.</param>
/// <param name="Points">The readings, in acquisition order.</param>
/// <param name="FirstSeq">Seq of the first reading.</param>
/// <param name="LastSeq">Seq of the last reading (the frame's position in the buffer).</param>
/// <param name="DeviceOffline">
/// The device was lost at this poll (connection failed, timeouts): its points are the bad readings that say so, and
/// the edge node sends DDEATH. The next frame without the flag brings the device back (DBIRTH).
/// </param>
internal sealed record SparkplugDeviceFrame(
    string DeviceId,
    SparkplugTagTable Tags,
    ReadOnlyMemory<SparkplugPoint> Points,
    long FirstSeq,
    long LastSeq,
    bool DeviceOffline = false);
