namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>An operator's acknowledgement from <c>{prefix}/commands/ack</c>.</summary>
/// <param name="By">Who: the signed command's <c>sub</c> (or an unsigned command's <c>by</c>).</param>
/// <param name="Comment">The operator's comment, or null.</param>
/// <param name="At">When the gateway applied it.</param>
/// <param name="Key">The id (<c>kid</c>) of the key that signed the command; null for an unsigned one or a device's own ack.</param>
internal sealed record AlarmAcknowledgement(string By, string? Comment, DateTimeOffset At, string? Key = null);
