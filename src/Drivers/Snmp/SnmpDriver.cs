using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// The adapter between the gateway and the SNMP stack for one device: connect (resolve, attach to the trap listener,
/// one Get of sysUpTime.0 to prove address and credentials), poll (<see cref="SnmpPoller"/>) and turn results into
/// readings, acknowledge trap alarms. Protocol work lives below it (session, poller, trap target).
/// </summary>
/// <remarks>
/// The trap target outlives a failed driver instance: a UPS that stops answering polls still gets its traps through.
/// It is detached only when the device is stopped (the token given to <see cref="ConnectAsync"/> is cancelled: removal,
/// reload or shutdown), not when a poll failure makes the supervisor dispose and recreate the driver.
/// </remarks>
internal sealed class SnmpDriver : IDeviceDriver, IAcknowledgeDeviceAlarms
{
    private static readonly SnmpOid s_sysUpTime = SnmpOid.Parse("1.3.6.1.2.1.1.3.0");

    private readonly DeviceDescriptor _device;
    private readonly SnmpDeviceSettings _settings;
    private readonly DriverContext _context;
    private readonly SnmpTrapRouter _router;
    private readonly ILogger _logger;
    private readonly SnmpRateCalculator?[] _rates;
    private readonly string?[] _lastReason;
    private readonly List<Reading> _readings = [];
    private IReadingSink? _sink;
    private SnmpClient? _client;
    private SnmpPoller? _poller;
    private SnmpTrapTarget? _target;
    private CancellationToken _deviceToken;

    public SnmpDriver(DeviceDescriptor device, SnmpDeviceSettings settings, DriverContext context, SnmpTrapRouter router)
    {
        _device = device;
        _settings = settings;
        _context = context;
        _router = router;
        _logger = context.LoggerFactory.CreateLogger("SmartCity.Edge.Drivers.Snmp");
        _rates = settings.Tags.Select(t => t.Rate ? new SnmpRateCalculator() : null).ToArray();
        _lastReason = new string?[settings.Tags.Count];
    }

    internal SnmpClient? Client => _client;

    internal SnmpPoller? Poller => _poller;

    public async ValueTask ConnectAsync(IReadingSink sink, CancellationToken cancellationToken)
    {
        _sink = sink;
        _deviceToken = cancellationToken;
        IPAddress address = await ResolveAsync(cancellationToken).ConfigureAwait(false);

        // Before any request: traps are taken even while the agent does not answer polls.
        _target = _router.Attach(_device.Id, _settings, address, sink, _context.DeviceAlarms, _context.TimeProvider, _logger);
        _client = new SnmpClient(CreateOptions(_settings, new IPEndPoint(address, _settings.Port)), _context.TimeProvider);
        _poller = new SnmpPoller(_device.Id, _settings, _client, _context.TimeProvider, _logger);
        try
        {
            SnmpPdu reply = await _client.GetAsync([s_sysUpTime], cancellationToken).ConfigureAwait(false);
            SnmpClient.ThrowOnError(reply, [s_sysUpTime]);
        }
        catch (SnmpException ex)
        {
            throw Failure(ex);
        }

        Log.Connected(_logger, _device.Id, $"{_settings.Host}:{_settings.Port}", VersionText(_settings.Version), _settings.Tags.Count, _poller.GetRequestsPerPoll, _settings.Tags.Count(t => t.Walk));
    }

    public async ValueTask PollAsync(CancellationToken cancellationToken)
    {
        SnmpPoller poller = _poller ?? throw new InvalidOperationException("PollAsync before ConnectAsync.");
        SnmpPollResult result;
        try
        {
            result = await poller.PollAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SnmpException ex)
        {
            throw Failure(ex);
        }

        _readings.Clear();
        for (int i = 0; i < _settings.Tags.Count; i++)
        {
            AddReadings(i, result);
        }

        foreach (Reading reading in _readings)
        {
            await _sink!.PublishAsync(reading, cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask WriteAsync(string tagId, TagValue value, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"tag '{tagId}' of '{_device.Id}' is read-only: the snmp driver reads (Get, GetBulk) and does not send Set requests");

    public ValueTask AcknowledgeAlarmAsync(string conditionId, string? comment, CancellationToken cancellationToken) =>
        _target is { } target
            ? target.AcknowledgeAsync(conditionId, cancellationToken)
            : throw new DeviceAlarmAcknowledgeException("unknown_alarm", $"device '{_device.Id}' has no trap alarm '{conditionId}'");

    public ValueTask DisposeAsync()
    {
        _client?.Dispose();
        _client = null;
        if (_target is not null && _deviceToken.IsCancellationRequested)
        {
            _router.Detach(_device.Id, _target);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Client options of a device (also used by the CLI's <c>--config FILE --device ID</c>).</summary>
    public static SnmpClientOptions CreateOptions(SnmpDeviceSettings settings, IPEndPoint agent) => new()
    {
        Agent = agent,
        Version = settings.Version,
        Community = settings.Community,
        User = settings.Credentials?.CreateUser(),
        ContextName = settings.ContextName,
        Timeout = settings.Timeout,
        Retries = settings.Retries,
    };

    public static string VersionText(SnmpVersion version) => version switch
    {
        SnmpVersion.V1 => "v1",
        SnmpVersion.V2c => "v2c",
        _ => "v3",
    };

    /// <summary>The host as an address: a literal, or the first address DNS gives (IPv4 first).</summary>
    public static async Task<IPAddress> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            return literal;
        }

        try
        {
            IPAddress[] addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            return addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).FirstOrDefault()
                ?? throw new SocketException((int)SocketError.HostNotFound);
        }
        catch (SocketException ex)
        {
            throw new DeviceException($"SNMP host '{host}' cannot be resolved: {ex.Message}", ex) { Kind = "dns" };
        }
    }

    private Task<IPAddress> ResolveAsync(CancellationToken cancellationToken) => ResolveAsync(_settings.Host, cancellationToken);

    private void AddReadings(int index, SnmpPollResult result)
    {
        SnmpTagSettings tag = _settings.Tags[index];
        DateTimeOffset now = result.Timestamp;
        if (tag.Walk)
        {
            if (result.WalkFailures[index] is { } walkFailure)
            {
                SetBad(index, tag.Id, walkFailure, now);
                return;
            }

            Recovered(index);
            foreach (SnmpVarBind row in result.Walks[index] ?? [])
            {
                string rowId = tag.Id + "." + row.Oid.SuffixAfter(tag.Oid);
                SnmpTagResult rowResult = SnmpTagResult.Of(row.Value);
                _readings.Add(rowResult.Failure is null
                    ? Reading.Good(_device.Id, rowId, SnmpValueMapper.Map(row.Value, tag), now)
                    : Reading.Bad(_device.Id, rowId, rowResult.Failure, now));
            }

            return;
        }

        SnmpTagResult scalar = result.Scalars[index];
        if (scalar.Failure is { } failure)
        {
            SetBad(index, tag.Id, failure, now);
            return;
        }

        if (_rates[index] is { } rate)
        {
            double? perSecond = rate.Next(scalar.Value, result.MonotonicTimestamp, _context.TimeProvider, out string? why);
            if (perSecond is null)
            {
                // The first sample has no rate yet: uncertain, not bad (the device answers).
                _readings.Add(new Reading(_device.Id, tag.Id, TagValue.None, why!.StartsWith("rate: needs", StringComparison.Ordinal) ? Quality.Bad : Quality.Uncertain, why, now));
                return;
            }

            Recovered(index);
            _readings.Add(Reading.Good(_device.Id, tag.Id, TagValue.FromDouble((perSecond.Value * tag.Scale) + tag.Offset), now));
            return;
        }

        Recovered(index);
        _readings.Add(Reading.Good(_device.Id, tag.Id, SnmpValueMapper.Map(scalar.Value, tag), now));
    }

    private void SetBad(int index, string tagId, string reason, DateTimeOffset now)
    {
        if (_lastReason[index] != reason)
        {
            _lastReason[index] = reason;
            Log.TagFailed(_logger, _device.Id, tagId, reason, _settings.Tags[index].Oid.ToString());
        }

        _readings.Add(Reading.Bad(_device.Id, tagId, reason, now));
    }

    private void Recovered(int index)
    {
        if (_lastReason[index] is not null)
        {
            _lastReason[index] = null;
            Log.TagRecovered(_logger, _device.Id, _settings.Tags[index].Id);
        }
    }

    private DeviceException Failure(SnmpException ex) =>
        new($"SNMP device '{_device.Id}' ({_settings.Host}:{_settings.Port}, {VersionText(_settings.Version)}): {ex.Message}", ex) { Kind = ex.Kind };
}
