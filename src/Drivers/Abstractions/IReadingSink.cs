namespace SmartCity.Edge.Drivers;

/// <summary>
/// Where a driver hands its readings: one <see cref="ReadingFrame"/> per poll (or per batch of pushed changes). The
/// gateway lends each driver instance a sink of its own device; awaiting <see cref="PublishAsync"/> applies
/// back-pressure (a bounded channel behind it). Safe to call from several threads (a poll and a subscription callback).
/// </summary>
/// <remarks>
/// <code>
/// ReadingFrame frame = sink.CreateFrame();
/// frame.AddGood(tagIndex, TagValue.FromSingle(21.5f), now);   // one reading per tag read, tag index as configured
/// frame.AddBad(otherIndex, "IllegalDataAddress (02)", now);
/// await sink.PublishAsync(frame, cancellationToken);           // the frame is the sink's from here on
/// </code>
/// </remarks>
public interface IReadingSink
{
    /// <summary>An empty frame (pooled) for the next batch of readings.</summary>
    ReadingFrame CreateFrame();

    /// <summary>
    /// Hands a filled frame over. The frame belongs to the sink from the call on, also when it throws (cancellation);
    /// do not touch it again. An empty frame is accepted and goes nowhere.
    /// </summary>
    ValueTask PublishAsync(ReadingFrame frame, CancellationToken cancellationToken);

    /// <summary>
    /// The index of a tag named by the device at run time, which the configuration could not list: an SNMP walk row
    /// (<c>ifInOctets.3</c>), a trap's varbind. The first call adds the tag to the device's tag table, after the
    /// configured tags; later calls give the same index (a configured tag gives its configured index). -1 when the device
    /// already has <see cref="MaxRuntimeTags"/> such tags (a hostile or broken device cannot grow the table without
    /// end): leave that reading out. Not for the hot path of drivers whose tags are all configured.
    /// </summary>
    int TagIndexOf(string tagId);

    /// <summary>Tags a device may add at run time (<see cref="TagIndexOf"/>) beyond its configured ones.</summary>
    public const int MaxRuntimeTags = 4096;
}
