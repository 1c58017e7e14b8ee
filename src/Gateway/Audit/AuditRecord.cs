using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Audit;

/// <summary>
/// One write attempt, allowed or refused: who asked (as the signature established it), for which tag, the value the
/// gateway last read there, the value asked for, what the device held afterwards, and how it ended. Published on
/// <c>{prefix}/audit</c> (docs/commands.md, "Audit trail"); text from the command is kept as sent and escaped only
/// when written out.
/// </summary>
/// <param name="Command">The command (<c>write</c>).</param>
/// <param name="Via">How it came: <c>mqtt</c> (a signed command on <c>{prefix}/commands/write</c>) or <c>sparkplug</c> (a DCMD: no key, no token id).</param>
/// <param name="Who">The operator: the token's verified <c>sub</c>; null when the command was refused before its signature was verified; for a DCMD <c>sparkplug:{primary host id}</c> (not verified).</param>
/// <param name="KeyId">The key that verified it (<c>kid</c>); null when none did.</param>
/// <param name="TokenId">The token's <c>jti</c> (the result's <c>id</c>); null when not verified.</param>
/// <param name="DeviceId">The device written, as the verified claims name it; null when not known.</param>
/// <param name="TagId">The tag written; null when not known.</param>
/// <param name="Old">The gateway's latest reading of the tag before the write (<see cref="TagValue.None"/> when it had none).</param>
/// <param name="Requested">The value asked for (<see cref="TagValue.None"/> when not known or not a value).</param>
/// <param name="Confirmed">The value read back after the write (<c>confirm: read</c>); <see cref="TagValue.None"/> otherwise.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Code">The refusal or error code of the result (<c>not_allowed</c>, <c>device_error</c>, …); null when ok.</param>
/// <param name="Reason">Why, in words (the result's <c>error</c>); the device's status for a device error; null when ok.</param>
/// <param name="Timestamp">When the gateway decided.</param>
internal sealed record AuditRecord(
    string Command,
    string Via,
    string? Who,
    string? KeyId,
    string? TokenId,
    string? DeviceId,
    string? TagId,
    TagValue Old,
    TagValue Requested,
    TagValue Confirmed,
    AuditOutcome Outcome,
    string? Code,
    string? Reason,
    DateTimeOffset Timestamp)
{
    /// <summary>The device's own status for a device error (<c>IllegalDataAddress (02)</c>, <c>BadNotWritable</c>).</summary>
    public string? DeviceStatus { get; init; }

    /// <summary>The record's place in the durable buffer, which numbers it; 0 until it is stored.</summary>
    public long Seq { get; init; }
}
