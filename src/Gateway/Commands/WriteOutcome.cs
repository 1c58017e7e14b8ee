using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Audit;

namespace SmartCity.Edge.Gateway.Commands;

/// <summary>How one write ended, for its result and its audit record.</summary>
/// <param name="Outcome">ok, refused, device error, or written but not confirmed.</param>
/// <param name="Code">The result's <c>code</c> (a refusal code, <c>device_error</c>, <c>offline</c>, <c>timeout</c>, <c>not_confirmed</c>); null when ok.</param>
/// <param name="Reason">The result's <c>error</c>: what happened and what to do; null when ok.</param>
/// <param name="Old">The gateway's latest reading of the tag before the write; <see cref="TagValue.None"/> when it had none.</param>
/// <param name="Confirmed">The value read back (<c>confirm: read</c>); <see cref="TagValue.None"/> otherwise.</param>
/// <param name="Sent">The write reached the driver (it may have changed the device): the token is used up, the rate limit counts it.</param>
internal sealed record WriteOutcome(AuditOutcome Outcome, string? Code, string? Reason, TagValue Old, TagValue Confirmed, bool Sent)
{
    /// <summary>The device's own status for a device error: <c>IllegalDataAddress (02)</c>, <c>BadNotWritable</c>, or the link's failure (<c>timeout</c>).</summary>
    public string? DeviceStatus { get; init; }

    public bool Ok => Outcome == AuditOutcome.Ok;

    public static WriteOutcome Refused(CommandRefusal refusal, TagValue old) => new(AuditOutcome.Refused, refusal.WireCode, refusal.Reason, old, TagValue.None, Sent: false);

    /// <summary>What the audit trail says of a write the gateway sent and then stopped before recording (<see cref="WriteJournal"/>).</summary>
    public static WriteOutcome Interrupted(TagValue old) => new(
        AuditOutcome.Interrupted,
        "interrupted",
        "the gateway stopped after this write was sent to the device and before its outcome was recorded: whether the device carried it out is unknown (check it, or read it back)",
        old,
        TagValue.None,
        Sent: true);

    /// <summary>
    /// The write's entry in the <see cref="WriteJournal"/> while it was sent and its outcome is not yet recorded; the
    /// caller completes it once the audit record (and the token) are durable. Null when nothing was sent.
    /// </summary>
    public WriteJournalEntry? InProgress { get; init; }
}
