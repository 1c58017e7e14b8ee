namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>An acknowledgement of an alarm kept by a device: where to send it, and whether the alarm awaits one.</summary>
/// <param name="DeviceId">The device keeping the alarm.</param>
/// <param name="ConditionId">The device's id of the alarm.</param>
/// <param name="State">The alarm's state now.</param>
/// <param name="AwaitsAcknowledgement">False when there is nothing to acknowledge (already acknowledged or cleared), or the ack is for another occurrence.</param>
/// <param name="WrongOccurrence">The ack names another occurrence than the alarm's current one: refused, nothing sent.</param>
internal sealed record DeviceAckRequest(string DeviceId, string ConditionId, AlarmLifecycle State, bool AwaitsAcknowledgement, bool WrongOccurrence = false);
