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
}
