namespace SmartCity.Edge.Gateway.Upstream;

/// <summary>The topic layout integrators rely on (docs/upstream.md). Change it only with a major version.</summary>
internal sealed class UpstreamTopics(string prefix)
{
    public string Prefix { get; } = prefix;

    public string Status { get; } = prefix + "/status";

    public string Alarms { get; } = prefix + "/alarms";

    public string Telemetry(string deviceId) => $"{Prefix}/telemetry/{deviceId}";

    /// <summary>Retained: the current state of one alarm.</summary>
    public string AlarmState(string alarmId) => $"{Prefix}/alarms/state/{alarmId}";

    /// <summary>Subscribed: operators acknowledge alarms here.</summary>
    public string CommandsAck { get; } = prefix + "/commands/ack";

    /// <summary>Subscribed: operators write device tags here (docs/commands.md).</summary>
    public string CommandsWrite { get; } = prefix + "/commands/write";

    /// <summary>Answers to commands.</summary>
    public string CommandsResult { get; } = prefix + "/commands/result";

    /// <summary>Notices about the data itself: telemetry evicted at <c>max_disk</c> (docs/upstream.md, "Notices").</summary>
    public string Notices { get; } = prefix + "/notices";

    /// <summary>The audit trail: one record per write attempt, allowed or refused.</summary>
    public string Audit { get; } = prefix + "/audit";

    /// <summary>
    /// Every topic the gateway subscribes to for commands: what the start-up summary and <c>validate</c> print and what
    /// <c>smartcity-edge test</c> subscribes to, so a technician sees the topics a desk must publish on.
    /// </summary>
    public IReadOnlyList<string> CommandTopics => [CommandsAck, CommandsWrite];

    /// <summary>
    /// The command a message on <paramref name="topic"/> carries (<c>ack</c>, <c>write</c>), or null for any topic the
    /// gateway does not subscribe to — never <see cref="CommandsResult"/>: answering our own answers would be a loop.
    /// </summary>
    public string? CommandOf(string topic) =>
        string.Equals(topic, CommandsAck, StringComparison.Ordinal) ? "ack"
        : string.Equals(topic, CommandsWrite, StringComparison.Ordinal) ? "write"
        : null;
}
