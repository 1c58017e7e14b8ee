namespace SmartCity.Edge.Gateway.Commands;

/// <summary>
/// <c>{prefix}/commands/ack</c>: acknowledge an alarm. Signed (docs/alarms.md): claims <c>cmd: "ack"</c>, <c>alarm</c>,
/// <c>occurrence</c> (the seq of the alarm's <c>active</c> transition), optional <c>comment</c>, and <c>sub</c>, the
/// operator, shown as <c>ack.by</c>. Unsigned (only with <c>allow_unsigned</c>): <c>{"alarm":"…","by":"…","comment":"…","id":"…"}</c>,
/// where <c>occurrence</c> is optional.
/// </summary>
internal sealed record AckCommand(string Alarm, string By, string? Comment, long? Occurrence)
{
    public const string Name = "ack";

    private const int MaxAlarm = 256;
    private const int MaxComment = 1024;

    /// <summary>Reads the ack's claims; on failure <paramref name="error"/> says what is wrong, for the reply.</summary>
    public static bool TryRead(VerifiedCommand command, out AckCommand? ack, out string? error)
    {
        ack = null;
        if (!command.TryGetString("alarm", MaxAlarm, out string? alarm, out error)
            || !command.TryGetString("comment", MaxComment, out string? comment, out error)
            || !command.TryGetPositiveInteger("occurrence", out long? occurrence, out error))
        {
            return false;
        }

        if (string.IsNullOrWhiteSpace(alarm))
        {
            error = "missing \"alarm\": the id of the alarm to acknowledge";
            return false;
        }

        if (command.IsSigned && occurrence is null)
        {
            // Without it, a token for one raise of the alarm would acknowledge the next.
            error = "missing \"occurrence\": the seq of the alarm's active transition being acknowledged (the alarm message's seq, or its \"occurrence\" member)";
            return false;
        }

        ack = new AckCommand(alarm, command.Subject, comment, occurrence);
        return true;
    }
}
