using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Audit;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Hosting;
using SmartCity.Edge.Gateway.Monitoring;
using SmartCity.Edge.Gateway.Pipeline;

namespace SmartCity.Edge.Gateway.Commands;

/// <summary>
/// Carries out an operator's write whose sender is established and allowed: checks it against the tag's write rules
/// in the running configuration, then writes through the device's driver, between two of its polls
/// (<see cref="IDeviceOutputs"/>, the path local alarm actions take), and with <c>confirm: read</c> reads it back.
/// </summary>
/// <remarks>
/// <para>
/// The checks, in order, each a refusal that sends nothing: the tag exists; it is <c>writable</c>; the value is within
/// <c>min</c>/<c>max</c> and among <c>allowed_values</c>; <c>expect</c> equals the gateway's latest reading of the tag
/// (a good or uncertain one); the <c>rate_limit</c> leaves room. The driver then refuses a value its type cannot hold
/// (text for a number, 70000 for a uint16), still before anything is sent.
/// </para>
/// <para>
/// The sender's checks (signature, the key's <c>allow:</c>, replay) are the caller's: <see cref="CommandService"/> for
/// signed commands on <c>{prefix}/commands/write</c>; <see cref="SparkplugWriteService"/> for Sparkplug DCMDs (behind an
/// explicit <c>upstream.sparkplug.commands: true</c> and its <c>commands_allow</c>, since a DCMD carries no
/// signature), which meet the same rules and share the rate limit.
/// </para>
/// </remarks>
internal sealed class OperatorWrites
{
    /// <summary>A device that has not answered the write (and its read-back) by then gets a timeout result.</summary>
    public static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(15);

    private readonly ActiveConfiguration _configuration;
    private readonly PipelineMonitor _monitor;
    private readonly IDeviceOutputs? _outputs;
    private readonly TimeProvider _time;
    private readonly WriteRateLimiter _rate = new();
    private readonly WriteJournal? _journal;
    private readonly ILogger _logger;

    public OperatorWrites(ActiveConfiguration configuration, PipelineMonitor monitor, TimeProvider time, IDeviceOutputs? outputs = null, WriteJournal? journal = null, ILogger<OperatorWrites>? logger = null)
    {
        _configuration = configuration;
        _monitor = monitor;
        _time = time;
        _outputs = outputs;
        _journal = journal;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The gateway's latest good or uncertain reading of a tag; <see cref="TagValue.None"/> when it has none.</summary>
    public TagValue CurrentValue(string deviceId, string tagId) =>
        _monitor.TryGetLatest(deviceId, tagId, out TagReading reading) && reading.Quality != Quality.Bad ? reading.Value : TagValue.None;

    /// <param name="write">The write, its sender established and allowed.</param>
    /// <param name="cancellationToken">Cancels waiting for the device.</param>
    /// <param name="ifInterrupted">
    /// The audit record to publish if the gateway stops after sending and before the caller recorded the outcome, with
    /// the token's expiry (its replay protection); kept in the <see cref="WriteJournal"/> while the write is in
    /// progress. The caller completes <see cref="WriteOutcome.InProgress"/> once the outcome is durable.
    /// </param>
    public async Task<WriteOutcome> ExecuteAsync(WriteCommand write, CancellationToken cancellationToken, (AuditRecord Record, DateTimeOffset TokenExpires)? ifInterrupted = null)
    {
        TagValue old = CurrentValue(write.DeviceId, write.TagId);
        DeviceConfiguration? device = _configuration.Current.Devices.FirstOrDefault(d => string.Equals(d.Id, write.DeviceId, StringComparison.Ordinal));
        TagConfiguration? tag = device?.Tags.FirstOrDefault(t => string.Equals(t.Id, write.TagId, StringComparison.Ordinal));
        if (tag is null)
        {
            return Refuse(CommandRefusalCode.UnknownTarget, device is null
                ? $"no device '{write.DeviceId}' in the gateway's configuration"
                : $"device '{write.DeviceId}' has no tag '{write.TagId}'", old);
        }

        if (tag.Write is not { } rules)
        {
            return Refuse(CommandRefusalCode.NotWritable, $"tag '{write.Target}' is not writable: its configuration has no writable: true (docs/commands.md, \"Writes\")", old);
        }

        if (Check(write, rules, old) is { } refusal)
        {
            return WriteOutcome.Refused(refusal, old);
        }

        DateTimeOffset now = _time.GetUtcNow();
        if (rules.RateLimit is { } limit && !_rate.CanWrite(write.Target, limit, now, out TimeSpan retryAfter))
        {
            return Refuse(CommandRefusalCode.RateLimited, $"tag '{write.Target}' may be written {limit.Count} time(s) per {limit.PeriodText} (rate_limit {limit}); the next write may go in {Math.Ceiling(retryAfter.TotalSeconds):0} s", old);
        }

        WriteJournalEntry? inProgress = BeginJournal(write, ifInterrupted);
        WriteOutcome outcome = await SendAsync(write, rules, old, cancellationToken).ConfigureAwait(false);
        if (outcome.Sent && rules.RateLimit is { } sentLimit)
        {
            _rate.Record(write.Target, sentLimit, now);
        }

        if (!outcome.Sent)
        {
            // Nothing reached the device: a stop before the refusal is recorded must not leave an "interrupted" write.
            inProgress?.Complete();
            return outcome;
        }

        return outcome with { InProgress = inProgress };
    }

    /// <summary>
    /// Records the write as in progress before the device is touched. A journal that cannot be written (full disk)
    /// does not stop the write: an operator releasing a door in an emergency matters more than the record of a crash
    /// that may not come; it is logged, and the write's outcome is still audited as usual.
    /// </summary>
    private WriteJournalEntry? BeginJournal(WriteCommand write, (AuditRecord Record, DateTimeOffset TokenExpires)? ifInterrupted)
    {
        if (_journal is null || ifInterrupted is not { } interrupted)
        {
            return null;
        }

        try
        {
            return _journal.Begin(interrupted.Record, interrupted.TokenExpires);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            CommandLog.WriteJournalFailed(_logger, write.Target, _journal.DirectoryPath, ex.Message);
            return null;
        }
    }

    /// <summary>The tag's rules and <c>expect</c>; null when the write may go.</summary>
    private static CommandRefusal? Check(WriteCommand write, TagWriteRules rules, TagValue current)
    {
        TagValue value = write.Value;
        if (rules.Min is not null || rules.Max is not null)
        {
            string range = $"{Number(rules.Min ?? double.NegativeInfinity)} to {Number(rules.Max ?? double.PositiveInfinity)}";
            if (!value.IsNumeric)
            {
                return new CommandRefusal(CommandRefusalCode.Value, $"tag '{write.Target}' takes a number from {range}, not {TagValueText.Describe(value)}");
            }

            if (value.AsDouble() < rules.Min || value.AsDouble() > rules.Max)
            {
                return new CommandRefusal(CommandRefusalCode.OutOfRange, $"{value} is outside the range of tag '{write.Target}' ({range}: its min and max)");
            }
        }

        if (!rules.IsAllowedValue(value))
        {
            return new CommandRefusal(CommandRefusalCode.ValueNotAllowed, $"{TagValueText.Describe(value)} is not one of the values tag '{write.Target}' allows ({string.Join(", ", rules.AllowedValues!)})");
        }

        if (write.Expect is { } expected)
        {
            if (current.IsNone)
            {
                return new CommandRefusal(CommandRefusalCode.Expect, $"the gateway has no current reading of tag '{write.Target}' to compare \"expect\" with (device offline, or the tag bad): check the device, then resend");
            }

            if (!TagValueEquality.Same(expected, current))
            {
                return new CommandRefusal(CommandRefusalCode.Expect, $"tag '{write.Target}' is {TagValueText.Describe(current)} now, not the expected {TagValueText.Describe(expected)}: it changed since it was looked at; look again before writing");
            }
        }

        return null;
    }

    private async Task<WriteOutcome> SendAsync(WriteCommand write, TagWriteRules rules, TagValue old, CancellationToken cancellationToken)
    {
        if (_outputs is null)
        {
            return Refuse(CommandRefusalCode.UnknownTarget, "no device pipeline in this process", old);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(WriteTimeout);
        DeviceWriteResult result;
        try
        {
            result = await _outputs.WriteAsync(write.DeviceId, write.TagId, write.Value, rules.ConfirmByRead, timeout.Token).ConfigureAwait(false);
            TestKillPoint.Reach(TestKillPoint.WriteAfterDevice);
        }
        catch (TagValueRejectedException ex)
        {
            return Refuse(CommandRefusalCode.Value, ex.Message, old);
        }
        catch (NotSupportedException ex)
        {
            return Refuse(CommandRefusalCode.NotWritable, ex.Message, old);
        }
        catch (KeyNotFoundException)
        {
            return Refuse(CommandRefusalCode.UnknownTarget, $"device '{write.DeviceId}' is not running (stopped by a reload?)", old);
        }
        catch (DeviceTagRefusedException ex)
        {
            return DeviceError("device_error", ex.Status, ex.Message, old, sent: true);
        }
        catch (DeviceOfflineException ex)
        {
            // Refused by the supervisor before the driver was called: nothing reached the device.
            return DeviceError(DeviceOfflineException.OfflineKind, ex.Kind, ex.Message, old, sent: false);
        }
        catch (DeviceException ex)
        {
            // The link failed around the write: whether the device carried it out is unknown.
            return DeviceError("device_error", ex.Kind, ex.Message + " (whether the device carried out the write is unknown: check it, or read it back)", old, sent: true);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return DeviceError("timeout", "timeout", $"device '{write.DeviceId}' did not complete the write within {WriteTimeout.TotalSeconds:0} s (whether it carried it out is unknown: check it)", old, sent: true);
        }

        if (!rules.ConfirmByRead)
        {
            return new WriteOutcome(AuditOutcome.Ok, null, null, old, TagValue.None, Sent: true);
        }

        if (result.ReadBack is not { } readBack)
        {
            string? status = result.ReadBackError switch
            {
                DeviceTagRefusedException refused => refused.Status,
                DeviceException failed => failed.Kind,
                _ => null,
            };
            return new WriteOutcome(AuditOutcome.NotConfirmed, "not_confirmed", $"written, but reading it back failed: {result.ReadBackError?.Message}", old, TagValue.None, Sent: true) { DeviceStatus = status };
        }

        return TagValueEquality.Same(write.Value, readBack)
            ? new WriteOutcome(AuditOutcome.Ok, null, null, old, readBack, Sent: true)
            : new WriteOutcome(AuditOutcome.NotConfirmed, "not_confirmed", $"wrote {TagValueText.Describe(write.Value)}, but the device holds {TagValueText.Describe(readBack)} when read back (it limits or rounds the value, or something else wrote it)", old, readBack, Sent: true);
    }

    private static WriteOutcome Refuse(CommandRefusalCode code, string reason, TagValue old) => WriteOutcome.Refused(new CommandRefusal(code, reason), old);

    private static WriteOutcome DeviceError(string code, string status, string reason, TagValue old, bool sent) =>
        new(AuditOutcome.DeviceError, code, reason, old, TagValue.None, sent) { DeviceStatus = status };

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);
}
