using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Audit;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Hosting;

namespace SmartCity.Edge.Gateway.Commands;

/// <summary>
/// Executes the writes of Sparkplug DCMDs (<c>upstream.sparkplug.commands: true</c>), one at a time in the order
/// received: the same tag rules as a signed write (<see cref="OperatorWrites"/>: writable, min/max, allowed_values,
/// rate_limit shared with signed writes, confirm: read) and the same audit trail (<see cref="IAuditSink"/>, via
/// <c>sparkplug</c>), with <c>upstream.sparkplug.commands_allow</c> in place of a key's <c>allow:</c>.
/// </summary>
/// <remarks>
/// A DCMD has no signature, no <c>jti</c> and no <c>expect</c>: the sender is whoever may publish on the DCMD topic
/// (the broker's ACL decides), so the audit record names no key and <c>who</c> is only the Sparkplug side
/// (<see cref="SparkplugWriteRequest.Who"/>). Sparkplug has no result topic: the outcome is in the audit record and
/// the log; a write that changed the device reaches the host as DDATA from the device's next poll.
/// </remarks>
internal sealed class SparkplugWriteService : BackgroundService
{
    private readonly SparkplugWriteChannel _requests;
    private readonly OperatorWrites _writes;
    private readonly IAuditSink _audit;
    private readonly ActiveConfiguration _configuration;
    private readonly TimeProvider _time;
    private readonly ILogger<SparkplugWriteService> _logger;

    public SparkplugWriteService(SparkplugWriteChannel requests, OperatorWrites writes, IAuditSink audit, ActiveConfiguration configuration, TimeProvider time, ILogger<SparkplugWriteService> logger)
    {
        _requests = requests;
        _writes = writes;
        _audit = audit;
        _configuration = configuration;
        _time = time;
        _logger = logger;
    }

    /// <summary>Checks and executes one request, and returns its audit record as recorded.</summary>
    public async Task<AuditRecord> ExecuteAsync(SparkplugWriteRequest request, CancellationToken cancellationToken)
    {
        TestFaultPoint.Reach(TestFaultPoint.DcmdExecute);
        WriteOutcome outcome = await DecideAsync(request, cancellationToken).ConfigureAwait(false);
        if (outcome.Outcome == AuditOutcome.Refused)
        {
            CommandLog.Refused(_logger, CommandText.Quote(request.Topic), outcome.Code!, outcome.Reason!);
        }

        AuditRecord recorded = await _audit.RecordAsync(Audit(request, outcome), cancellationToken).ConfigureAwait(false);
        outcome.InProgress?.Complete();
        return recorded;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (SparkplugWriteRequest request in _requests.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await ExecuteAsync(request, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!(ex is OperationCanceledException && stoppingToken.IsCancellationRequested))
                {
                    // A failure nobody foresaw stays in this DCMD: an exception out of here would stop the host.
                    CommandLog.DcmdFailed(_logger, CommandText.Quote(request.Topic), ex.GetBaseException().Message, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<WriteOutcome> DecideAsync(SparkplugWriteRequest request, CancellationToken cancellationToken)
    {
        TagValue old = request.DeviceId is { } device && request.TagId is { } tag ? _writes.CurrentValue(device, tag) : TagValue.None;
        if (request.Refusal is { } refusal)
        {
            return WriteOutcome.Refused(refusal, old);
        }

        var write = new WriteCommand(request.DeviceId!, request.TagId!, request.Value, Expect: null);
        SparkplugUpstreamConfiguration? sparkplug = _configuration.Current.Upstream.Sparkplug;
        if (sparkplug is not { Commands: true } || !sparkplug.CommandsAllow.Any(p => p.Allows(WriteCommand.Name, write.Target)))
        {
            string allow = sparkplug is null ? "none" : string.Join(", ", sparkplug.CommandsAllow);
            return WriteOutcome.Refused(new CommandRefusal(CommandRefusalCode.NotAllowed, $"a DCMD may not write {CommandText.Quote(write.Target)} (upstream.sparkplug.commands_allow: [{allow}])"), old);
        }

        AuditRecord ifInterrupted = Audit(request, WriteOutcome.Interrupted(old));
        return await _writes.ExecuteAsync(write, cancellationToken, (ifInterrupted, default)).ConfigureAwait(false);
    }

    private AuditRecord Audit(SparkplugWriteRequest request, WriteOutcome outcome) =>
        new(WriteCommand.Name, "sparkplug", request.Who, null, null, request.DeviceId, request.TagId, outcome.Old, request.Value, outcome.Confirmed, outcome.Outcome, outcome.Code, outcome.Reason, _time.GetUtcNow())
        {
            DeviceStatus = outcome.DeviceStatus,
        };
}
