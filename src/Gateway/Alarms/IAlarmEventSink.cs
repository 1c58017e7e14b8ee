namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>Takes the engine's published transitions, in order. Called under the engine's lock: must not block.</summary>
internal interface IAlarmEventSink
{
    void Publish(AlarmEvent alarmEvent);
}
