using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Upstream;

namespace SmartCity.Edge.Gateway.Commands;

/// <summary>
/// Executes commands received from upstream (today: alarm acknowledgement) and answers each on
/// <c>{prefix}/commands/result</c>: <c>{"command":"ack","alarm":"…","ok":true,"state":"acknowledged"}</c> or
/// <c>{"command":"ack","alarm":"…","ok":false,"error":"…"}</c>, echoing the request's <c>id</c> when it had one.
/// The acknowledgement itself reaches integrators as an alarm transition with an <c>ack</c> member.
/// </summary>
internal sealed class CommandService : BackgroundService
{
    private readonly CommandChannel _commands;
    private readonly AlarmEngine _engine;
    private readonly ICommandReplies _replies;
    private readonly UpstreamTopics _topics;
    private readonly ILogger<CommandService> _logger;

    public CommandService(CommandChannel commands, AlarmEngine engine, ICommandReplies replies, UpstreamTopics topics, ILogger<CommandService> logger)
    {
        _commands = commands;
        _engine = engine;
        _replies = replies;
        _topics = topics;
        _logger = logger;
    }

    /// <summary>Runs one command and returns the reply payload.</summary>
    public byte[] Execute(ReceivedCommand received)
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

        (AckOutcome outcome, AlarmLifecycle state) = _engine.Acknowledge(command!.Alarm, command.By, command.Comment);
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
                byte[] reply = Execute(received);
                try
                {
                    await _replies.PublishResultAsync(reply, stoppingToken).ConfigureAwait(false);
                }
                catch (UpstreamException ex)
                {
                    // The ack itself took effect and its transition is buffered durably; only the reply is lost.
                    AlarmLog.CommandReplyFailed(_logger, _topics.CommandsResult, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static byte[] Reply(string command, string? alarm, string? requestId, bool ok, string? state, string? error)
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

            if (error is not null)
            {
                writer.WriteString("error"u8, error);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
