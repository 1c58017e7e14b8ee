using SmartCity.Edge.Gateway.Audit;

namespace SmartCity.Edge.Gateway.Commands;

/// <summary>What executing one command produced.</summary>
/// <param name="Reply">The <c>{prefix}/commands/result</c> payload; null when the message is not answered (not a command topic).</param>
/// <param name="UsedToken">A signed command that took effect: its token is recorded as used before the reply goes out.</param>
internal sealed record CommandOutcome(byte[]? Reply, VerifiedCommand? UsedToken)
{
    public static readonly CommandOutcome Unanswered = new(null, null);

    /// <summary>A write attempt (allowed or refused): recorded in the audit trail before the reply goes out.</summary>
    public AuditRecord? Audit { get; init; }

    /// <summary>A write that was sent: its journal entry, completed once its audit record and token are durable.</summary>
    public WriteJournalEntry? InProgress { get; init; }
}
