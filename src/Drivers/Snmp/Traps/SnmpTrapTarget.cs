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
    private readonly Dictionary<SnmpOid, (SnmpTagSettings Tag, int Index)> _tagsByOid = new();
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
        for (int i = 0; i < settings.Tags.Count; i++)
        {
            if (settings.Tags[i] is { Walk: false, Rate: false } tag)
            {
                _tagsByOid.TryAdd(tag.Oid, (tag, i));
            }
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
            // One frame per notification: its trap OID, then its varbinds.
            ReadingFrame frame = readings.CreateFrame();
            int trapIndex = readings.TagIndexOf("trap");
            if (trapIndex >= 0)
            {
                frame.AddGood(trapIndex, TagValue.FromString(notification.TrapOid.ToString()), now);
            }

            foreach (SnmpVarBind varBind in notification.VarBinds.Take(MaxPublishedVarBinds))
            {
                AddReading(frame, readings, varBind, now);
            }

            await readings.PublishAsync(frame, cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// A varbind as a reading: of the tag that polls its OID (by settings index = tag index), else of a tag named at run
    /// time (a walk's row <c>{id}.{index}</c>, else <c>trap.{oid}</c>); left out once the device has named too many.
    /// </summary>
    private void AddReading(ReadingFrame frame, IReadingSink readings, SnmpVarBind varBind, DateTimeOffset now)
    {
        SnmpTagResult result = SnmpTagResult.Of(varBind.Value);
        if (_tagsByOid.TryGetValue(varBind.Oid, out (SnmpTagSettings Tag, int Index) polled))
        {
            // The trap carries a value a tag polls (UPS minutes remaining): a fresh reading of that tag.
            Add(frame, polled.Index, result, polled.Tag, varBind, now);
            return;
        }

        foreach (SnmpTagSettings walk in Settings.Tags)
        {
            if (walk.Walk && varBind.Oid.IsBelow(walk.Oid))
            {
                Add(frame, readings.TagIndexOf(walk.Id + "." + varBind.Oid.SuffixAfter(walk.Oid)), result, walk, varBind, now);
                return;
            }
        }

        Add(frame, readings.TagIndexOf("trap." + varBind.Oid), result, null, varBind, now);
    }

    private static void Add(ReadingFrame frame, int index, SnmpTagResult result, SnmpTagSettings? tag, SnmpVarBind varBind, DateTimeOffset now)
    {
        if (index < 0)
        {
            return;
        }

        if (result.Failure is { } failure)
        {
            frame.AddBad(index, failure, now);
        }
        else
        {
            frame.AddGood(index, tag is null ? TagValue.FromString(varBind.Value.ValueText()) : SnmpValueMapper.Map(varBind.Value, tag), now);
        }
    }

    private sealed record AlarmState(bool Active, bool Acknowledged, string Message);
}
