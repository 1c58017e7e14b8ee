using SmartCity.Edge.Gateway.Upstream.Sparkplug.Input;

namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Node;

/// <summary>One alarm as node metrics: the names under <c>Alarms/{id}/</c> (built once), its aliases and its last transition.</summary>
internal sealed class SparkplugAlarmState
{
    public SparkplugAlarmState(string alarmId, ulong firstAlias)
    {
        AlarmId = alarmId;
        FirstAlias = firstAlias;
        string folder = "Alarms/" + alarmId + "/";
        StateName = folder + "State";
        SeverityName = folder + "Severity";
        MessageName = folder + "Message";
        SeqName = folder + "Seq";
        AckByName = folder + "Ack By";
    }

    public string AlarmId { get; }

    /// <summary>Aliases: State, Severity, Message, Seq, Ack By are <c>FirstAlias + 0 … 4</c>.</summary>
    public ulong FirstAlias { get; }

    public string StateName { get; }

    public string SeverityName { get; }

    public string MessageName { get; }

    public string SeqName { get; }

    public string AckByName { get; }

    /// <summary>The last transition, or null for a configured alarm that never changed state since the gateway started.</summary>
    public SparkplugAlarmRecord? Last { get; set; }

    /// <summary>Listed in the current NBIRTH: an NDATA may carry its metrics.</summary>
    public bool Born { get; set; }
}
