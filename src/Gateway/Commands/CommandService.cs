using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Pipeline;
using SmartCity.Edge.Gateway.Upstream;

namespace SmartCity.Edge.Gateway.Commands;

/// <summary>
/// Executes commands received from upstream (today: alarm acknowledgement) and answers each on
/// <c>{prefix}/commands/result</c>: <c>{"command":"ack","alarm":"…","ok":true,"state":"acknowledged"}</c> or
/// <c>{"command":"ack","alarm":"…","ok":false,"error":"…"}</c>, echoing the request's <c>id</c> when it had one.
/// The acknowledgement itself reaches integrators as an alarm transition with an <c>ack</c> member.
/// An alarm kept by a device (an OPC UA condition) is acknowledged at the device: the reply says whether the device
/// accepted (<c>"via":"device"</c>) or why not (<c>"code"</c>: the device's error, e.g. <c>BadEventIdUnknown</c>, or
/// <c>offline</c>); the <c>acknowledged</c> transition follows when the device reports it.
/// </summary>
/// <remarks>
/// Commands run one at a time in the order received. Each is acknowledged to the broker (MQTT PUBACK) only when it is
/// done: executed, its effect durable — every alarm transition published up to then committed to the buffer and
/// <c>alarms.db</c>, or the device's answer in — and its reply published (or failed). A gateway killed before that
/// point gets the command again from its persistent session after the restart; executing it again is harmless, since
/// an ack moves only an alarm that still awaits acknowledgement (the second is answered <c>"ok":false</c> with the
/// alarm's state). One at a time also keeps the PUBACKs in the order the commands were received, as MQTT 3.1.1 §4.6
/// requires of a client [MQTT-4.6.0-2].
/// </remarks>
internal sealed class CommandService : BackgroundService
{
    private readonly CommandChannel _commands;
    private readonly AlarmEngine _engine;
    private readonly AlarmEventChannel _transitions;
    private readonly ICommandReplies _replies;
    private readonly UpstreamTopics _topics;
    private readonly ILogger<CommandService> _logger;
    private readonly IDeviceAlarmAcknowledger? _devices;

    /// <summary>A device that does not answer an acknowledgement in this time gets a timeout reply; the desk can resend.</summary>
    private static readonly TimeSpan s_deviceAckTimeout = TimeSpan.FromSeconds(15);

    public CommandService(CommandChannel commands, AlarmEngine engine, AlarmEventChannel transitions, ICommandReplies replies, UpstreamTopics topics, ILogger<CommandService> logger, IDeviceAlarmAcknowledger? devices = null)
    {
        _devices = devices;
        _commands = commands;
        _engine = engine;
        _transitions = transitions;
        _replies = replies;
        _topics = topics;
        _logger = logger;
    }

    /// <summary>Runs one command and returns the reply payload.</summary>
    public async Task<byte[]> ExecuteAsync(ReceivedCommand received, CancellationToken cancellationToken)
    {
        if (received.Topic != _topics.CommandsAck)
        {
            return Reply("unknown", null, null, ok: false, state: null, error: $"unknown command topic '{received.Topic}'");
        }

        if (!AckCommand.TryParse(received.Payload, out AckCommand? command, out string? requestId, out string? error))
        {
            AlarmLog.CommandRejected(_logger, received.Topic, error!);
            return Reply("ack", null, requestId, ok: false, state: null, error);
        }

        if (_engine.RequestDeviceAcknowledgement(command!.Alarm, command.By, command.Comment) is { } device)
        {
            return await AcknowledgeAtDeviceAsync(command, requestId, device, cancellationToken).ConfigureAwait(false);
        }

        (AckOutcome outcome, AlarmLifecycle state) = _engine.Acknowledge(command.Alarm, command.By, command.Comment);
        AlarmLog.Command(_logger, "ack", command.Alarm, command.By, outcome.ToString());
        return outcome switch
        {
            AckOutcome.Acknowledged => Reply("ack", command.Alarm, requestId, ok: true, state.ToWire(), error: null),
            AckOutcome.UnknownAlarm => Reply("ack", command.Alarm, requestId, ok: false, state: null, $"unknown alarm '{command.Alarm}'"),
            AckOutcome.NotAwaitingAcknowledgement => Reply("ack", command.Alarm, requestId, ok: false, state.ToWire(), $"alarm '{command.Alarm}' is {state.ToWire()}: nothing to acknowledge"),
            _ => throw new InvalidOperationException($"Unhandled ack outcome {outcome}."),
        };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (ReceivedCommand received in _commands.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                if (!received.Retained)
                {
                    await ExecuteAndAnswerAsync(received, stoppingToken).ConfigureAwait(false);
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
        byte[] reply = await ExecuteAsync(received, cancellationToken).ConfigureAwait(false);

        // Read after executing: the ack's transition (published synchronously by the engine) is among these. Waiting for
        // all of them rather than for that one alone also covers a reply "nothing to acknowledge" that reports a state
        // another command (or the device) reached a moment ago and that is not yet committed.
        await _transitions.WaitCommittedAsync(_transitions.Published, cancellationToken).ConfigureAwait(false);
        try
        {
            await _replies.PublishResultAsync(reply, cancellationToken).ConfigureAwait(false);
        }
        catch (UpstreamException ex)
        {
            // The ack itself took effect and its transition is committed; only the reply is lost (a redelivery of the
            // command is answered "ok":false with the alarm's state).
            AlarmLog.CommandReplyFailed(_logger, _topics.CommandsResult, ex.Message);
        }
    }

    /// <summary>Sends the acknowledgement to the device keeping the alarm; the device's report then moves the alarm.</summary>
    private async Task<byte[]> AcknowledgeAtDeviceAsync(AckCommand command, string? requestId, DeviceAckRequest device, CancellationToken cancellationToken)
    {
        if (!device.AwaitsAcknowledgement)
        {
            AlarmLog.Command(_logger, "ack", command.Alarm, command.By, AckOutcome.NotAwaitingAcknowledgement.ToString());
            return Reply("ack", command.Alarm, requestId, ok: false, device.State.ToWire(), $"alarm '{command.Alarm}' is {device.State.ToWire()}: nothing to acknowledge");
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

            await _devices.AcknowledgeAlarmAsync(device.DeviceId, device.ConditionId, command.Comment, timeout.Token).ConfigureAwait(false);
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
            _engine.CancelDeviceAcknowledgement(command.Alarm);
            AlarmLog.Command(_logger, "ack", command.Alarm, command.By, "device refused: " + code);
            return Reply("ack", command.Alarm, requestId, ok: false, _engine.StateOf(command.Alarm).ToWire(), error, code);
        }

        AlarmLog.Command(_logger, "ack", command.Alarm, command.By, "sent to device " + device.DeviceId);
        return Reply("ack", command.Alarm, requestId, ok: true, _engine.StateOf(command.Alarm).ToWire(), error: null, code: null, via: "device");
    }

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
