namespace SmartCity.Edge.Drivers;

/// <summary>
/// Optional capability of a driver that can read one tag on demand, apart from its poll schedule: the gateway reads a
/// tag back after an operator wrote it (<c>confirm: read</c>), so the result says what the device holds now. Modbus
/// reads the tag's register or coil, OPC UA the node's Value attribute, GPIO the line. The value read is returned
/// only; nothing is delivered to the reading sink, so the readings of a device stay exactly those of its polls.
/// </summary>
public interface IReadBackTags
{
    /// <summary>
    /// Reads <paramref name="tagId"/> from the device now. Throws <see cref="DeviceTagRefusedException"/> when the
    /// device answers this read with an error (a Modbus exception, an OPC UA bad status), <see cref="DeviceException"/>
    /// when it cannot be reached, and <see cref="NotSupportedException"/> for a tag the driver does not have.
    /// </summary>
    ValueTask<TagValue> ReadTagAsync(string tagId, CancellationToken cancellationToken);
}
