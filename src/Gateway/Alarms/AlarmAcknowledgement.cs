namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>An operator's acknowledgement from <c>{prefix}/commands/ack</c>.</summary>
internal sealed record AlarmAcknowledgement(string By, string? Comment, DateTimeOffset At);
