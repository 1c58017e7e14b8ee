using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Gateway.Commands;

/// <summary>Log messages of command verification (signed commands, refusals, replay store). Event ids 1500–1549 are stable.</summary>
internal static partial class CommandLog
{
    [LoggerMessage(1500, LogLevel.Warning, "Refused command on {Topic} ({Code}): {Reason}")]
    public static partial void Refused(ILogger logger, string topic, string code, string reason);

    [LoggerMessage(1501, LogLevel.Information, "Commands: {Count} signing keys ({Keys}); max_lifetime {MaxLifetime}, clock_skew {ClockSkew}")]
    public static partial void Keys(ILogger logger, int count, string keys, TimeSpan maxLifetime, TimeSpan clockSkew);

    [LoggerMessage(1502, LogLevel.Warning, "Commands: no signing keys configured (commands.keys): every command on {Topic} is refused until one is added (docs/alarms.md, \"Signed commands\")")]
    public static partial void NoKeys(ILogger logger, string topic);

    [LoggerMessage(1503, LogLevel.Warning, "Commands: allow_unsigned is on: unsigned JSON commands are accepted, so anyone who can publish on {Topic} can acknowledge alarms and reset outputs; sign commands and turn it off")]
    public static partial void UnsignedAllowed(ILogger logger, string topic);

    [LoggerMessage(1504, LogLevel.Warning, "Ignored a message on {Topic}: the gateway did not subscribe to that topic (another session's subscription, or the broker's configuration?); not answered. Further messages on it are ignored without a log line")]
    public static partial void NotSubscribed(ILogger logger, string topic);

    [LoggerMessage(1505, LogLevel.Error, "Could not record the used command token {Kid}/{TokenId} in {Path}: {Reason}; the command took effect, but a replay of this token is not refused until it expires")]
    public static partial void ReplayStoreFailed(ILogger logger, string kid, string tokenId, string path, string reason);

    [LoggerMessage(1506, LogLevel.Information, "Command {Command} by {By} signed with key {Kid} executed; token {TokenId} is used up until {Expires:u}")]
    public static partial void TokenUsed(ILogger logger, string command, string by, string kid, string tokenId, DateTimeOffset expires);

    [LoggerMessage(1509, LogLevel.Warning, "Could not record the write of {Target} as in progress in {Directory} ({Reason}); writing it all the same. Its outcome is audited as usual, but a crash before that would leave no record of it")]
    public static partial void WriteJournalFailed(ILogger logger, string target, string directory, string reason);

    [LoggerMessage(1510, LogLevel.Warning, "Write of {Device}/{Tag} by {Who} was sent to the device, then the gateway stopped before recording its outcome: audited as interrupted (seq {Seq}); whether the device carried it out is unknown: check it. {Token}")]
    public static partial void WriteInterrupted(ILogger logger, string device, string tag, string who, long seq, string token);

    [LoggerMessage(1511, LogLevel.Error, "Write journal file {Path} is damaged ({Reason}); moved to {MovedTo}. A write may have been sent without a record: check the audit trail and the device")]
    public static partial void WriteJournalDamaged(ILogger logger, string path, string reason, string movedTo);

    [LoggerMessage(1512, LogLevel.Error, "Could not recover the interrupted write in {Path} ({Reason}); left in place for the next start. Until then it is not in the audit trail and a redelivery of its command is not refused")]
    public static partial void WriteJournalUnrecovered(ILogger logger, string path, string reason);

    [LoggerMessage(1507, LogLevel.Error, "Command on {Topic} failed unexpectedly ({Reason}); it is acknowledged and dropped, so it can neither stop the gateway nor come back after a restart. Please report this with a support bundle")]
    public static partial void CommandFailed(ILogger logger, string topic, string reason, Exception exception);

    [LoggerMessage(1508, LogLevel.Error, "Sparkplug DCMD write on {Topic} failed unexpectedly ({Reason}); it is dropped, the next DCMD is executed. Please report this with a support bundle")]
    public static partial void DcmdFailed(ILogger logger, string topic, string reason, Exception exception);
}
