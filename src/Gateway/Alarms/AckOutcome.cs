namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>The answer to an acknowledgement command.</summary>
internal enum AckOutcome
{
    Acknowledged,
    UnknownAlarm,
    NotAwaitingAcknowledgement,

    /// <summary>The ack names another occurrence than the alarm's current one (an earlier raise): refused, nothing changed.</summary>
    WrongOccurrence,
}
