namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>The answer to an acknowledgement command.</summary>
internal enum AckOutcome
{
    Acknowledged,
    UnknownAlarm,
    NotAwaitingAcknowledgement,
}
