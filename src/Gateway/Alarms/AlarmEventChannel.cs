using System.Threading.Channels;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>
/// Engine → <see cref="AlarmService"/>. Unbounded on purpose: alarms are never dropped, and the engine's rate limit
/// bounds what one alarm can put in it (max_transitions per rate_window per alarm).
/// </summary>
internal sealed class AlarmEventChannel : IAlarmEventSink
{
    private readonly Channel<AlarmEvent> _channel = Channel.CreateUnbounded<AlarmEvent>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<AlarmEvent> Reader => _channel.Reader;

    public void Publish(AlarmEvent alarmEvent) => _channel.Writer.TryWrite(alarmEvent);
}
