using SmartCity.Edge.Gateway.Audit;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Upstream;

/// <summary>
/// Renders buffered records into the messages of one upstream format (our JSON today; Sparkplug B next). The buffer
/// stores frames, alarm and audit records in no upstream format; each upstream's forwarder loop reads them and hands them
/// to its encoder, publishes the messages in order, and moves its cursor once every message was acknowledged.
/// </summary>
/// <remarks>
/// Called by one forwarder loop only, so an encoder may keep state (a Sparkplug sequence number, which metrics were
/// born). The payloads it returns may live in the encoder's own buffers: they must stay valid until the next call.
/// A frame names its tags by index: <see cref="BufferedFrame.Table"/> is the tag table it was read with (ids and
/// declared types, <see cref="TagTableEntry.DataType"/>), also when the configuration changed since.
/// </remarks>
internal interface IUpstreamEncoder
{
    /// <summary>
    /// Appends the messages of <paramref name="alarms"/> (seq order): for each, its transition (unless it has none, see
    /// <see cref="AlarmRecord.IsQuietRetirement"/>) and whatever keeps the alarm's current state for late subscribers.
    /// Each message's <see cref="UpstreamMessage.LastSeq"/> is the seq of the record it carries.
    /// </summary>
    void EncodeAlarms(IReadOnlyList<BufferedAlarm> alarms, List<UpstreamMessage> messages);

    /// <summary>
    /// Appends the messages of <paramref name="records"/> (operators' write attempts, seq order). Each message's
    /// <see cref="UpstreamMessage.LastSeq"/> is the <see cref="AuditRecord.Seq"/> of the record it carries, by which the
    /// receiver drops a duplicate. An upstream format with no place for them appends nothing (the records are then
    /// acknowledged for it all the same).
    /// </summary>
    void EncodeAudit(IReadOnlyList<AuditRecord> records, List<UpstreamMessage> messages);

    /// <summary>
    /// Appends messages carrying every reading of <paramref name="frames"/> (seq order, several devices) exactly once;
    /// a frame may be split over several messages. Throws <see cref="DamagedFrameException"/> for a frame whose body
    /// cannot be decoded (the caller leaves it out and encodes the rest again).
    /// </summary>
    void EncodeTelemetry(IReadOnlyList<BufferedFrame> frames, List<UpstreamMessage> messages);

    /// <summary>
    /// Appends the notice that the telemetry seqs of <paramref name="ranges"/> (oldest first) were evicted at
    /// <c>max_disk</c>; published before the telemetry that follows the gap, so a receiver can tell eviction from loss.
    /// The message's <see cref="UpstreamMessage.LastSeq"/> is the end of the last range. Its payload is not in the buffers
    /// <see cref="EncodeTelemetry"/> reuses (the notice is published with that batch). A format with no place for it
    /// appends nothing.
    /// </summary>
    void EncodeEvictionNotice(IReadOnlyList<EvictedRange> ranges, List<UpstreamMessage> messages);

    /// <summary>A reload changed the upstream settings (e.g. <c>max_batch</c>): used from the next call on.</summary>
    void Reconfigure(UpstreamConfiguration configuration);
}
