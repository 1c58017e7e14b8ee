using System.Net;
using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// What the trap listener knows of one device: where its traps come from, how they authenticate (trap community, v3
/// user), its trap rules and the state of the alarms they raised — the "device-kept" alarms of an SNMP device, which
/// the gateway mirrors through <see cref="IDeviceAlarmSink"/> like an OPC UA condition. A notification becomes readings
/// (<c>trap</c> = its OID; each varbind under the tag that reads that OID, else <c>trap.{oid}</c>) and alarm reports.
/// </summary>
internal sealed class SnmpTrapTarget
{
    /// <summary>Varbinds published per trap at most: a hostile or broken sender cannot create tags without end.</summary>
    public const int MaxPublishedVarBinds = 64;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, AlarmState> _alarms = new(StringComparer.Ordinal);
    private readonly Dictionary<SnmpOid, SnmpTagSettings> _tagsByOid = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private UsmUser? _user;

    public SnmpTrapTarget(string deviceId, SnmpDeviceSettings settings, IPAddress address, TimeProvider time, ILogger logger)
    {
        DeviceId = deviceId;
        Settings = settings;
        Address = address;
        _time = time;
        _logger = logger;
        TrapCommunity = System.Text.Encoding.UTF8.GetBytes(settings.TrapCommunity);
        foreach (SnmpTagSettings tag in settings.Tags.Where(t => !t.Walk && !t.Rate))
        {
            _tagsByOid.TryAdd(tag.Oid, tag);
        }
    }

    public string DeviceId { get; }

    public SnmpDeviceSettings Settings { get; }

    public IPAddress Address { get; }

    public byte[] TrapCommunity { get; }

    public IReadingSink? Readings { get; set; }

    public IDeviceAlarmSink? Alarms { get; set; }

    /// <summary>The device's v3 user (keys derived on first use), or null for v1/v2c devices.</summary>
    public UsmUser? User
    {
        get
        {
            if (Settings.Credentials is null)
            {
                return null;
            }

            lock (_gate)
            {
                return _user ??= Settings.Credentials.CreateUser();
            }
        }
    }

    public async ValueTask DeliverAsync(SnmpNotification notification, CancellationToken cancellationToken)
    {
        Log.TrapReceived(_logger, DeviceId, notification.TrapOid.ToString(), notification.Source.ToString(), notification.IsInform ? " (inform)" : string.Empty);
        DateTimeOffset now = _time.GetUtcNow();
        if (Readings is { } readings)
        {
            await readings.PublishAsync(Reading.Good(DeviceId, "trap", TagValue.FromString(notification.TrapOid.ToString()), now), cancellationToken).ConfigureAwait(false);
            foreach (SnmpVarBind varBind in notification.VarBinds.Take(MaxPublishedVarBinds))
            {
                await readings.PublishAsync(ToReading(varBind, now), cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (SnmpTrapRule rule in Settings.TrapRules)
        {
            if (notification.Is(rule.Trap) && (rule.Match is null || rule.Match.IsMatchedBy(notification.VarBinds)))
            {
                string message = SnmpTrapMessage.Render(rule.Message, DeviceId, notification);
                await ReportAsync(rule, Set(rule.Alarm, active: true, acknowledged: false, message), now, cancellationToken).ConfigureAwait(false);
                if (rule.IsEvent)
                {
                    // An event has no "over": it is cleared at once and kept until someone acknowledges it.
                    await ReportAsync(rule, Set(rule.Alarm, active: false, acknowledged: false, message), now, cancellationToken).ConfigureAwait(false);
                }
            }
            else if (rule.ClearTrap is { } clear && notification.Is(clear) && (rule.ClearMatch is null || rule.ClearMatch.IsMatchedBy(notification.VarBinds)))
            {
                AlarmState state;
                lock (_gate)
                {
                    // Not raised since this gateway started (it may have been before a restart): report it over and
                    // acknowledged, which ends a restored alarm and creates nothing for one never raised.
                    state = _alarms.TryGetValue(rule.Alarm, out AlarmState? known)
                        ? known with { Active = false }
                        : new AlarmState(false, true, rule.Message);
                    _alarms[rule.Alarm] = state;
                }

                await ReportAsync(rule, state, now, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>An operator acknowledged a trap alarm through the gateway: the state moves here, and is reported back.</summary>
    public async ValueTask AcknowledgeAsync(string alarm, CancellationToken cancellationToken)
    {
        SnmpTrapRule rule = Settings.TrapRules.FirstOrDefault(r => r.Alarm == alarm)
            ?? throw new DeviceAlarmAcknowledgeException("unknown_alarm", $"device '{DeviceId}' has no trap alarm '{alarm}'");
        AlarmState state;
        lock (_gate)
        {
            // Unknown here (raised before a gateway restart): a condition is taken as still active, an event as over.
            state = _alarms.TryGetValue(alarm, out AlarmState? known)
                ? known with { Acknowledged = true }
                : new AlarmState(!rule.IsEvent, true, rule.Message);
            _alarms[alarm] = state;
        }

        await ReportAsync(rule, state, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    private AlarmState Set(string alarm, bool active, bool acknowledged, string message)
    {
        lock (_gate)
        {
            var state = new AlarmState(active, acknowledged, message);
            _alarms[alarm] = state;
            return state;
        }
    }

    private ValueTask ReportAsync(SnmpTrapRule rule, AlarmState state, DateTimeOffset now, CancellationToken cancellationToken) =>
        Alarms?.PublishAsync(
            new DeviceAlarm(DeviceId, rule.Alarm, rule.Alarm, Settings.Host, state.Message, rule.Severity, (int)rule.Severity, now, state.Active, state.Acknowledged, Retain: state.Active || !state.Acknowledged),
            cancellationToken) ?? ValueTask.CompletedTask;

    private Reading ToReading(SnmpVarBind varBind, DateTimeOffset now)
    {
        SnmpTagResult result = SnmpTagResult.Of(varBind.Value);
        if (_tagsByOid.TryGetValue(varBind.Oid, out SnmpTagSettings? tag))
        {
            // The trap carries a value a tag polls (UPS minutes remaining): a fresh reading of that tag.
            return result.Failure is null ? Reading.Good(DeviceId, tag.Id, SnmpValueMapper.Map(varBind.Value, tag), now) : Reading.Bad(DeviceId, tag.Id, result.Failure, now);
        }

        foreach (SnmpTagSettings walk in Settings.Tags)
        {
            if (walk.Walk && varBind.Oid.IsBelow(walk.Oid))
            {
                string rowId = walk.Id + "." + varBind.Oid.SuffixAfter(walk.Oid);
                return result.Failure is null ? Reading.Good(DeviceId, rowId, SnmpValueMapper.Map(varBind.Value, walk), now) : Reading.Bad(DeviceId, rowId, result.Failure, now);
            }
        }

        string id = "trap." + varBind.Oid;
        return result.Failure is null ? Reading.Good(DeviceId, id, TagValue.FromString(varBind.Value.ValueText()), now) : Reading.Bad(DeviceId, id, result.Failure, now);
    }

    private sealed record AlarmState(bool Active, bool Acknowledged, string Message);
}
