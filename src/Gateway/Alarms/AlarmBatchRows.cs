namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>
/// What a batch of transitions writes beside its buffer records (<see cref="AlarmStateStore.CommitAsync"/>): each
/// transition's new state with the JSON of the transition (in the batch's order), and the webhook deliveries.
/// </summary>
internal sealed record AlarmBatchRows(IReadOnlyList<(AlarmEvent Event, string Body)> States, IReadOnlyList<(Uri Url, string Body)> Outbox);
