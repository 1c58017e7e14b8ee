using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Audit;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Hosting;
using SmartCity.Edge.Gateway.Pipeline;
using SmartCity.Edge.Gateway.Upstream;
using SmartCity.Edge.Gateway.Upstream.Json;

namespace SmartCity.Edge.Gateway.Commands;

/// <summary>
/// Executes commands received from upstream — alarm acknowledgement, and writes to device tags
/// (<see cref="OperatorWrites"/>, each also recorded in the audit trail) — and answers each on
/// <c>{prefix}/commands/result</c>: <c>{"command":"ack","alarm":"…","ok":true,"state":"acknowledged"}</c> or
/// <c>{"command":"ack","alarm":"…","ok":false,"code":"…","error":"…"}</c>, echoing the request's <c>id</c> (a signed
/// command's <c>jti</c>) when it had one. The acknowledgement itself reaches integrators as an alarm transition with
/// an <c>ack</c> member. An alarm kept by a device (an OPC UA condition) is acknowledged at the device: the reply says
/// whether the device accepted (<c>"via":"device"</c>) or why not (<c>"code"</c>: the device's error, e.g.
/// <c>BadEventIdUnknown</c>, or <c>offline</c>); the <c>acknowledged</c> transition follows when the device reports it.
/// </summary>
/// <remarks>
/// <para>
/// Every command is verified first (<see cref="CommandTokenVerifier"/>: a compact JWS signed by a key of
/// <c>commands.keys</c>, read from the running configuration, so a reload changes the keys), then its claims are read,
/// then the key's <c>allow:</c> list and the replay store are asked. A refusal changes nothing — no alarm state, no
/// output, nothing sent to a device — and is answered <c>"ok":false</c> with a <c>code</c> and the reason, and logged.
/// A message on a topic the gateway did not subscribe to is not a command: ignored, logged once per topic, never
/// answered (a broad subscription shared with another session would otherwise have the gateway answer its own answers).
/// </para>
/// <para>
/// Commands run one at a time in the order received. Each is acknowledged to the broker (MQTT PUBACK) only when it is
/// done: executed, its effect durable — every alarm transition published up to then committed to the buffer and
/// <c>alarm_state</c>, or the device's answer in —, its token recorded as used, and its reply published (or failed). A
/// gateway killed before that point gets the command again from its persistent session after the restart: killed
/// before the effect was durable, the command executes then; killed after, it finds the alarm acknowledged or its token
/// used, and is answered <c>"ok":false</c> with the alarm's state. One at a time also keeps the PUBACKs in the order
/// the commands were received, as MQTT 3.1.1 §4.6 requires of a client [MQTT-4.6.0-2].
/// </para>
/// </remarks>
internal sealed class CommandService : BackgroundService
{
    /// <summary>Topics already logged as not subscribed; bounded, so a flood of odd topics cannot grow it.</summary>
    private const int MaxLoggedTopics = 64;

    /// <summary>A device that does not answer an acknowledgement in this time gets a timeout reply; the desk can resend.</summary>
    private static readonly TimeSpan s_deviceAckTimeout = TimeSpan.FromSeconds(15);

    private readonly CommandChannel _commands;
    private readonly AlarmEngine _engine;
    private readonly AlarmEventChannel _transitions;
    private readonly ICommandReplies _replies;
    private readonly UpstreamTopics _topics;
    private readonly ActiveConfiguration _configuration;
    private readonly CommandTokenVerifier _verifier;
    private readonly CommandReplayStore _usedTokens;
    private readonly TimeProvider _time;
    private readonly ILogger<CommandService> _logger;
    private readonly IDeviceAlarmAcknowledger? _devices;
    private readonly OperatorWrites? _writes;
    private readonly IAuditSink? _audit;
    private readonly WriteJournal? _journal;
    private readonly HashSet<string> _loggedTopics = new(StringComparer.Ordinal);
    private CommandsConfiguration? _announced;

    public CommandService(
        CommandChannel commands,
        AlarmEngine engine,
        AlarmEventChannel transitions,
        ICommandReplies replies,
        UpstreamTopics topics,
        ActiveConfiguration configuration,
        CommandTokenVerifier verifier,
        CommandReplayStore usedTokens,
        TimeProvider time,
        ILogger<CommandService> logger,
        IDeviceAlarmAcknowledger? devices = null,
        OperatorWrites? writes = null,
        IAuditSink? audit = null,
        WriteJournal? journal = null)
    {
        _journal = journal;
        _commands = commands;
        _engine = engine;
        _transitions = transitions;
        _replies = replies;
        _topics = topics;
        _configuration = configuration;
        _verifier = verifier;
        _usedTokens = usedTokens;
        _time = time;
        _logger = logger;
        _devices = devices;
        _writes = writes;
        _audit = audit;
    }

    /// <summary>
    /// Logs the command keys in force (at start, and after a reload that changed them), and warns when commands are
    /// refused for want of a key or accepted unsigned.
    /// </summary>
    public void Announce(CommandsConfiguration commands)
    {
        if (ReferenceEquals(Interlocked.Exchange(ref _announced, commands), commands))
        {
            return;
        }

        if (commands.Keys.Count > 0)
        {
            CommandLog.Keys(_logger, commands.Keys.Count, string.Join("; ", commands.Keys), commands.MaxLifetime, commands.ClockSkew);
        }
        else if (!commands.AllowUnsigned)
        {
            CommandLog.NoKeys(_logger, _topics.CommandsAck);
        }

        if (commands.AllowUnsigned)
        {
            CommandLog.UnsignedAllowed(_logger, _topics.CommandsAck);
        }
    }

    /// <summary>Runs one command and returns its outcome: the reply payload (null: not answered) and the token it used up.</summary>
    public async Task<CommandOutcome> ExecuteAsync(ReceivedCommand received, CancellationToken cancellationToken)
    {
        if (_topics.CommandOf(received.Topic) is not { } name)
        {
            if (_loggedTopics.Count < MaxLoggedTopics && _loggedTopics.Add(received.Topic))
            {
                CommandLog.NotSubscribed(_logger, CommandText.Quote(received.Topic));
            }

            return CommandOutcome.Unanswered;
        }

        CommandsConfiguration configuration = _configuration.Current.Commands;
        Announce(configuration);
        (VerifiedCommand? command, CommandRefusal? refusal) = await _verifier.VerifyAsync(received.Payload, name, configuration, _time.GetUtcNow()).ConfigureAwait(false);
        if (refusal is not null)
        {
            CommandOutcome refused = Refuse(received.Topic, name, null, null, refusal, state: null);

            // Who sent it is not established: the record says what was refused, with no name from the payload.
            return name == WriteCommand.Name
                ? refused with { Audit = WriteAudit(null, null, null, TagValue.None, WriteOutcome.Refused(refusal, TagValue.None)) }
                : refused;
        }

        return name switch
        {
            AckCommand.Name => await AcknowledgeAsync(received.Topic, command!, cancellationToken).ConfigureAwait(false),
            WriteCommand.Name => await WriteAsync(received.Topic, command!, cancellationToken).ConfigureAwait(false),
            _ => throw new InvalidOperationException($"Unhandled command {name}."),
        };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Announce(_configuration.Current.Commands);
        try
        {
            // Before the first command: a write the last run sent without recording is audited, and its token used
            // up, before the broker's redelivery of that command can reach the device a second time.
            await RecoverInterruptedWritesAsync(stoppingToken).ConfigureAwait(false);
            await foreach (ReceivedCommand received in _commands.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                if (!received.Retained)
                {
                    try
                    {
                        await ExecuteAndAnswerAsync(received, stoppingToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (!(ex is OperationCanceledException && stoppingToken.IsCancellationRequested))
                    {
                        // A failure nobody foresaw stays in this command: an exception out of here would stop the
                        // host, and the unacknowledged command would come back after the restart and stop it again.
                        CommandLog.CommandFailed(_logger, CommandText.Quote(received.Topic), ex.GetBaseException().Message, ex);
                    }
                }

                // Only now may the broker forget the command. Cancelled before this line (shutdown), the command stays
                // in the broker's session and comes again after the restart.
                await received.Delivery.AcknowledgeAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ExecuteAndAnswerAsync(ReceivedCommand received, CancellationToken cancellationToken)
    {
        TestFaultPoint.Reach(TestFaultPoint.CommandExecute);
        CommandOutcome outcome = await ExecuteAsync(received, cancellationToken).ConfigureAwait(false);
        if (outcome.Reply is null)
        {
            return;
        }

        // Read after executing: the ack's transition (published synchronously by the engine) is among these. Waiting for
        // all of them rather than for that one alone also covers a reply "nothing to acknowledge" that reports a state
        // another command (or the device) reached a moment ago and that is not yet committed.
        await _transitions.WaitCommittedAsync(_transitions.Published, cancellationToken).ConfigureAwait(false);
        if (outcome.Audit is { } audit && _audit is not null)
        {
            // In the trail before anyone hears of the outcome: no answered attempt is missing from it.
            await _audit.RecordAsync(audit, cancellationToken).ConfigureAwait(false);
        }

        RememberToken(outcome);

        // The outcome is in the trail and the token used up (or could not be: logged): no longer in progress.
        outcome.InProgress?.Complete();

        try
        {
            await _replies.PublishResultAsync(outcome.Reply, cancellationToken).ConfigureAwait(false);
        }
        catch (UpstreamException ex)
        {
            // The ack itself took effect and its transition is committed; only the reply is lost (a redelivery of the
            // command is answered "ok":false with the alarm's state).
            AlarmLog.CommandReplyFailed(_logger, _topics.CommandsResult, ex.Message);
        }
    }

    private void RememberToken(CommandOutcome outcome)
    {
        if (outcome.UsedToken is { Key: { } key, TokenId: { } tokenId } used)
        {
            // Durable before the reply and the PUBACK: from here a replay, or the broker's redelivery, is refused.
            try
            {
                // A write's result is kept with it (see WriteAsync: a redelivery gets it again).
                byte[]? result = used.Command == WriteCommand.Name ? outcome.Reply : null;
                _usedTokens.Remember(key.Id, tokenId, used.Expires, _time.GetUtcNow() - _configuration.Current.Commands.ClockSkew, result);
                CommandLog.TokenUsed(_logger, used.Command, CommandText.Printable(used.Subject), key.Id, CommandText.Quote(tokenId), used.Expires);
            }
            catch (Microsoft.Data.Sqlite.SqliteException ex)
            {
                CommandLog.ReplayStoreFailed(_logger, key.Id, CommandText.Quote(tokenId), _usedTokens.Path, ex.Message);
            }
        }
    }

    /// <summary>
    /// Audits each write the last run sent and never recorded (<see cref="WriteJournal"/>) as <c>interrupted</c>, and
    /// uses up its token. A stop in the middle of this records one of them twice at the next start, never not at all.
    /// </summary>
    private async Task RecoverInterruptedWritesAsync(CancellationToken cancellationToken)
    {
        if (_journal is null || _audit is null)
        {
            return;
        }

        foreach (string path in _journal.Leftovers)
        {
            try
            {
                await RecoverInterruptedWriteAsync(_audit, path, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or BufferStorageException)
            {
                // Left in place: the next start tries again. Commands are still served meanwhile.
                CommandLog.WriteJournalUnrecovered(_logger, path, ex.Message);
            }
        }
    }

    private async Task RecoverInterruptedWriteAsync(IAuditSink audit, string path, CancellationToken cancellationToken)
    {
        if (!WriteJournal.TryRead(path, out AuditRecord? record, out DateTimeOffset expires, out string? damage))
        {
            string movedTo = path + ".damaged";
            File.Move(path, movedTo, overwrite: true);
            CommandLog.WriteJournalDamaged(_logger, path, damage!, movedTo);
            return;
        }

        AuditRecord recorded = await audit.RecordAsync(record!, cancellationToken).ConfigureAwait(false);
        string token = "No token to use up (a Sparkplug DCMD).";
        if (record!.KeyId is { } kid && record.TokenId is { } tokenId)
        {
            try
            {
                // Kept as the write's result: the desk never got one, and the redelivery's "replayed" carries it as original.
                byte[] result = WriteReply(tokenId, record.DeviceId, record.TagId, record.Requested, WriteOutcome.Interrupted(record.Old));
                _usedTokens.Remember(kid, tokenId, expires, _time.GetUtcNow() - _configuration.Current.Commands.ClockSkew, result);
                token = $"Its token {CommandText.Quote(tokenId)} is used up: a redelivery of the command is refused as a replay, with this outcome.";
            }
            catch (Microsoft.Data.Sqlite.SqliteException ex)
            {
                CommandLog.ReplayStoreFailed(_logger, kid, CommandText.Quote(tokenId), _usedTokens.Path, ex.Message);
                token = "Its token could not be used up: a redelivery of the command may write the device again.";
            }
        }

        CommandLog.WriteInterrupted(_logger, record.DeviceId ?? "?", record.TagId ?? "?", CommandText.Printable(record.Who ?? "?"), recorded.Seq, token);
        new WriteJournalEntry(path).Complete();
    }

    private async Task<CommandOutcome> AcknowledgeAsync(string topic, VerifiedCommand command, CancellationToken cancellationToken)
    {
        if (!AckCommand.TryRead(command, out AckCommand? ack, out string? error))
        {
            return Refuse(topic, AckCommand.Name, null, command.RequestId, new CommandRefusal(CommandRefusalCode.Claims, error!), state: null);
        }

        string? state = _engine.Contains(ack!.Alarm) ? _engine.StateOf(ack.Alarm).ToWire() : null;
        if (Authorize(command, AckCommand.Name, ack.Alarm) is { } refusal)
        {
            return Refuse(topic, AckCommand.Name, ack.Alarm, command.RequestId, refusal, state);
        }

        if (_engine.RequestDeviceAcknowledgement(ack.Alarm, ack.By, ack.Comment, ack.Occurrence, command.Key?.Id) is { } device)
        {
            return await AcknowledgeAtDeviceAsync(topic, command, ack, device, cancellationToken).ConfigureAwait(false);
        }

        (AckOutcome outcome, AlarmLifecycle after) = _engine.Acknowledge(ack.Alarm, ack.By, ack.Comment, ack.Occurrence, command.Key?.Id);
        AlarmLog.Command(_logger, AckCommand.Name, CommandText.Printable(ack.Alarm), CommandText.Printable(ack.By), outcome.ToString());
        return outcome switch
        {
            AckOutcome.Acknowledged => new CommandOutcome(Reply(AckCommand.Name, ack.Alarm, command.RequestId, ok: true, after.ToWire(), error: null), command),
            AckOutcome.UnknownAlarm => Answer(AckCommand.Name, ack.Alarm, command.RequestId, state: null, $"unknown alarm {CommandText.Quote(ack.Alarm)}"),
            AckOutcome.NotAwaitingAcknowledgement => Answer(AckCommand.Name, ack.Alarm, command.RequestId, after.ToWire(), $"alarm '{ack.Alarm}' is {after.ToWire()}: nothing to acknowledge"),
            AckOutcome.WrongOccurrence => Refuse(topic, AckCommand.Name, ack.Alarm, command.RequestId, WrongOccurrence(ack), after.ToWire()),
            _ => throw new InvalidOperationException($"Unhandled ack outcome {outcome}."),
        };
    }

    /// <summary>Sends the acknowledgement to the device keeping the alarm; the device's report then moves the alarm.</summary>
    private async Task<CommandOutcome> AcknowledgeAtDeviceAsync(string topic, VerifiedCommand command, AckCommand ack, DeviceAckRequest device, CancellationToken cancellationToken)
    {
        if (device.WrongOccurrence)
        {
            return Refuse(topic, AckCommand.Name, ack.Alarm, command.RequestId, WrongOccurrence(ack), device.State.ToWire());
        }

        if (!device.AwaitsAcknowledgement)
        {
            AlarmLog.Command(_logger, AckCommand.Name, CommandText.Printable(ack.Alarm), CommandText.Printable(ack.By), AckOutcome.NotAwaitingAcknowledgement.ToString());
            return Answer(AckCommand.Name, ack.Alarm, command.RequestId, device.State.ToWire(), $"alarm '{ack.Alarm}' is {device.State.ToWire()}: nothing to acknowledge");
        }

        string? code = null;
        string? error = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_deviceAckTimeout);
        try
        {
            if (_devices is null)
            {
                throw new NotSupportedException("no device pipeline in this process");
            }

            await _devices.AcknowledgeAlarmAsync(device.DeviceId, device.ConditionId, ack.Comment, timeout.Token).ConfigureAwait(false);
        }
        catch (DeviceAlarmAcknowledgeException ex)
        {
            (code, error) = (ex.Code, ex.Message);
        }
        catch (DeviceException ex)
        {
            (code, error) = (ex.Kind, ex.Message);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            (code, error) = ("timeout", $"device '{device.DeviceId}' did not answer the acknowledgement within {s_deviceAckTimeout.TotalSeconds:0} s");
        }
        catch (Exception ex) when (ex is KeyNotFoundException or NotSupportedException)
        {
            (code, error) = ("unsupported", ex.Message);
        }

        if (code is not null)
        {
            _engine.CancelDeviceAcknowledgement(ack.Alarm);
            AlarmLog.Command(_logger, AckCommand.Name, CommandText.Printable(ack.Alarm), CommandText.Printable(ack.By), "device refused: " + code);
            return new CommandOutcome(Reply(AckCommand.Name, ack.Alarm, command.RequestId, ok: false, _engine.StateOf(ack.Alarm).ToWire(), error, code), null);
        }

        AlarmLog.Command(_logger, AckCommand.Name, CommandText.Printable(ack.Alarm), CommandText.Printable(ack.By), "sent to device " + device.DeviceId);
        return new CommandOutcome(Reply(AckCommand.Name, ack.Alarm, command.RequestId, ok: true, _engine.StateOf(ack.Alarm).ToWire(), error: null, code: null, via: "device"), command);
    }

    /// <summary>
    /// A write: its claims, the key's <c>allow:</c> for <c>device/tag</c> and the replay store, then
    /// <see cref="OperatorWrites"/>. Every outcome, refusals included, carries its audit record.
    /// </summary>
    private async Task<CommandOutcome> WriteAsync(string topic, VerifiedCommand command, CancellationToken cancellationToken)
    {
        if (!WriteCommand.TryRead(command, out WriteCommand? write, out string? deviceId, out string? tagId, out string? error))
        {
            var invalid = new CommandRefusal(CommandRefusalCode.Claims, error!);
            TagValue requested = WriteCommand.TryGetValue(command.Claims, "value", required: true, out TagValue value, out _) ? value : TagValue.None;
            return RefuseWrite(topic, command, deviceId, tagId, requested, invalid);
        }

        if (!command.IsSigned)
        {
            // allow_unsigned keeps yesterday's plain JSON acks working; writes never had an unsigned form.
            return RefuseWrite(topic, command, write!.DeviceId, write.TagId, write.Value, new CommandRefusal(CommandRefusalCode.Unsigned,
                "unsigned write refused: writes are always signed tokens (allow_unsigned applies to acks only), e.g. made by `smartcity-edge command write DEVICE/TAG VALUE --key FILE --kid ID --by NAME`"));
        }

        if (Authorize(command, WriteCommand.Name, write!.Target) is { } refusal)
        {
            // A replay changes nothing; it carries the first result, so a desk whose result was lost (the broker
            // delivering the command again after a reconnect) learns the outcome at least once.
            byte[]? original = refusal.Code == CommandRefusalCode.Replayed ? _usedTokens.ResultOf(command.Key!.Id, command.TokenId!) : null;
            return RefuseWrite(topic, command, write.DeviceId, write.TagId, write.Value, refusal, original);
        }

        if (_writes is null)
        {
            return RefuseWrite(topic, command, write.DeviceId, write.TagId, write.Value, new CommandRefusal(CommandRefusalCode.UnknownTarget, "this process has no devices to write"));
        }

        AuditRecord ifInterrupted = WriteAudit(command, write.DeviceId, write.TagId, write.Value, WriteOutcome.Interrupted(_writes.CurrentValue(write.DeviceId, write.TagId)));
        WriteOutcome outcome = await _writes.ExecuteAsync(write, cancellationToken, (ifInterrupted, command.Expires)).ConfigureAwait(false);
        if (outcome.Outcome == AuditOutcome.Refused)
        {
            CommandLog.Refused(_logger, CommandText.Quote(topic), outcome.Code!, outcome.Reason!);
        }

        return new CommandOutcome(WriteReply(command.RequestId, write.DeviceId, write.TagId, write.Value, outcome), outcome.Sent ? command : null)
        {
            Audit = WriteAudit(command, write.DeviceId, write.TagId, write.Value, outcome),
            InProgress = outcome.InProgress,
        };
    }

    private CommandOutcome RefuseWrite(string topic, VerifiedCommand command, string? deviceId, string? tagId, TagValue requested, CommandRefusal refusal, byte[]? original = null)
    {
        CommandLog.Refused(_logger, CommandText.Quote(topic), refusal.WireCode, refusal.Reason);
        TagValue old = deviceId is not null && tagId is not null && _writes is not null ? _writes.CurrentValue(deviceId, tagId) : TagValue.None;
        WriteOutcome outcome = WriteOutcome.Refused(refusal, old);
        return new CommandOutcome(WriteReply(command.RequestId, deviceId, tagId, requested, outcome, original), null)
        {
            Audit = WriteAudit(command, deviceId, tagId, requested, outcome),
        };
    }

    private AuditRecord WriteAudit(VerifiedCommand? command, string? deviceId, string? tagId, TagValue requested, WriteOutcome outcome) =>
        new(WriteCommand.Name, "mqtt", command?.Subject, command?.Key?.Id, command?.TokenId, deviceId, tagId, outcome.Old, requested, outcome.Confirmed, outcome.Outcome, outcome.Code, outcome.Reason, _time.GetUtcNow())
        {
            DeviceStatus = outcome.DeviceStatus,
        };

    /// <summary>
    /// <c>{"command":"write","id":…,"device":…,"tag":…,"ok":…,"value":…,"old":…,"confirmed":…,"code":…,"device_status":…,"error":…}</c>:
    /// <c>value</c> is the value asked for, <c>old</c> the gateway's latest reading before, <c>confirmed</c> what was read back;
    /// a replay's refusal carries the first result as <c>original</c>.
    /// </summary>
    private static byte[] WriteReply(string? requestId, string? deviceId, string? tagId, TagValue requested, WriteOutcome outcome, byte[]? original = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("command"u8, WriteCommand.Name);
            if (requestId is not null)
            {
                writer.WriteString("id"u8, requestId);
            }

            writer.WriteString("device"u8, deviceId);
            writer.WriteString("tag"u8, tagId);
            writer.WriteBoolean("ok"u8, outcome.Ok);
            JsonContract.WriteValue(writer, "value"u8, requested);
            JsonContract.WriteValue(writer, "old"u8, outcome.Old);
            if (!outcome.Confirmed.IsNone)
            {
                JsonContract.WriteValue(writer, "confirmed"u8, outcome.Confirmed);
            }

            if (outcome.Code is not null)
            {
                writer.WriteString("code"u8, outcome.Code);
            }

            if (outcome.DeviceStatus is not null)
            {
                writer.WriteString("device_status"u8, outcome.DeviceStatus);
            }

            if (outcome.Reason is not null)
            {
                writer.WriteString("error"u8, outcome.Reason);
            }

            if (original is not null)
            {
                writer.WritePropertyName("original"u8);
                writer.WriteRawValue(original, skipInputValidation: false);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The checks that need the command's target: the key's <c>allow:</c> list, then the replay store. Null when the
    /// command may run. Unsigned commands (<c>allow_unsigned</c>) have neither.
    /// </summary>
    private CommandRefusal? Authorize(VerifiedCommand command, string name, string target)
    {
        if (command.Key is not { } key)
        {
            return null;
        }

        if (!key.Allows(name, target))
        {
            return new CommandRefusal(CommandRefusalCode.NotAllowed, $"key '{key.Id}' may not send {name} for {CommandText.Quote(target)} (its allow: [{string.Join(", ", key.Allow)}])");
        }

        return _usedTokens.WasUsed(key.Id, command.TokenId!)
            ? new CommandRefusal(CommandRefusalCode.Replayed, $"token {CommandText.Quote(command.TokenId!)} of key '{key.Id}' was already executed (a replay, or the broker delivering it again): every command needs a fresh token")
            : null;
    }

    private CommandRefusal WrongOccurrence(AckCommand ack)
    {
        long current = _engine.OccurrenceOf(ack.Alarm)?.Seq ?? 0;
        string now = current > 0 ? $"its current occurrence is {current}" : "its current occurrence is not published yet";
        string which = current > 0 && ack.Occurrence < current ? "an earlier occurrence" : "not its current occurrence";
        return new CommandRefusal(CommandRefusalCode.Occurrence, $"ack for occurrence {ack.Occurrence} of alarm '{ack.Alarm}' refused: that is {which}, and {now} (the alarm was raised again since): acknowledge the current one");
    }

    private CommandOutcome Refuse(string topic, string command, string? alarm, string? requestId, CommandRefusal refusal, string? state)
    {
        CommandLog.Refused(_logger, CommandText.Quote(topic), refusal.WireCode, refusal.Reason);
        return new CommandOutcome(Reply(command, alarm, requestId, ok: false, state, refusal.Reason, refusal.WireCode), null);
    }

    /// <summary>Executed, but nothing to do (unknown alarm, nothing to acknowledge): <c>ok:false</c> without a refusal code.</summary>
    private static CommandOutcome Answer(string command, string alarm, string? requestId, string? state, string error) =>
        new(Reply(command, alarm, requestId, ok: false, state, error), null);

    private static byte[] Reply(string command, string? alarm, string? requestId, bool ok, string? state, string? error, string? code = null, string? via = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("command"u8, command);
            if (requestId is not null)
            {
                writer.WriteString("id"u8, requestId);
            }

            if (alarm is not null)
            {
                writer.WriteString("alarm"u8, alarm);
            }

            writer.WriteBoolean("ok"u8, ok);
            if (state is not null)
            {
                writer.WriteString("state"u8, state);
            }

            if (via is not null)
            {
                writer.WriteString("via"u8, via);
            }

            if (code is not null)
            {
                writer.WriteString("code"u8, code);
            }

            if (error is not null)
            {
                writer.WriteString("error"u8, error);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
