using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Commands;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Pipeline;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Input;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Node;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Session;

namespace SmartCity.Edge.Gateway.Upstream.Sparkplug;

/// <summary>
/// The gateway as a Sparkplug B 3.0 edge node: one loop that owns the session state machine
/// (<see cref="SparkplugSessionState"/>), the seq counter and both delivery cursors, so every message of the node is
/// published by one writer in one order (NBIRTH before DBIRTH before DATA, no NBIRTH after an NDEATH).
/// </summary>
/// <remarks>
/// <para>Per connection: bdSeq +1 (persisted) → CONNECT with the NDEATH as Will → SUBSCRIBE NCMD, DCMD (and the
/// Primary Host's STATE) and wait for the SUBACK → with a Primary Host, wait for its online STATE → NBIRTH (seq 0),
/// one DBIRTH per reachable device → DATA. Servers are tried in order; a failure, an NCMD Next Server or the host
/// going offline moves to the next one; after a whole round failed, the node backs off.</para>
/// <para>Records come from <see cref="ISparkplugRecordSource"/> by seq. Everything committed before the births of a
/// connection is history: it is replayed after them as <c>is_historical</c> metrics with the original timestamps, at
/// <see cref="SparkplugEdgeNodeOptions.ReplayMetricsPerSecond"/>, and only when no live record waits. Everything
/// committed after the births is live and never flagged historical.</para>
/// <para>Data is QoS 0 as the spec requires; the node still keeps every record until the broker provably has it:
/// after a round of publishes it waits for the broker's answer to a packet sent after them on the same connection
/// (<see cref="SparkplugMqttSession.ConfirmDeliveryAsync"/>), and only then moves the acknowledged cursor. A
/// connection that dies first loses nothing: the next connection replays from the cursor as history.</para>
/// </remarks>
internal sealed partial class SparkplugEdgeNode : IAsyncDisposable
{
    /// <summary>How often a quiet loop checks that its connection is still up.</summary>
    private static readonly TimeSpan s_connectionCheck = TimeSpan.FromSeconds(5);

    private readonly SparkplugUpstreamConfiguration _configuration;
    private readonly ISparkplugRecordSource _source;
    private readonly SparkplugBdSeqStore _bdSeqStore;
    private readonly SparkplugEdgeNodeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SparkplugTopics _topics;
    private readonly SparkplugMessageEncoder _encoder;
    private readonly SparkplugSequence _sequence = new();
    private readonly SparkplugAliasTable _aliases = new();
    private readonly SparkplugPrimaryHost? _primaryHost;
    private readonly Backoff _backoff;

    /// <summary>Bounded, dropping the oldest: MQTTnet's receive loop must never wait for us (see <see cref="SparkplugMqttSession"/>).</summary>
    private readonly Channel<SparkplugSessionEvent> _events = Channel.CreateBounded<SparkplugSessionEvent>(
        new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = false });

    private readonly Dictionary<string, SparkplugDeviceState> _devices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SparkplugAlarmState> _alarms = new(StringComparer.Ordinal);
    private readonly List<SparkplugDeviceFrame> _frames = [];
    private readonly List<SparkplugAlarmRecord> _alarmRecords = [];
    private readonly HashSet<(string Device, string Tag)> _mismatchLogged = [];

    private volatile SparkplugSessionState _state = SparkplugSessionState.Disconnected;
    private SparkplugMqttSession? _session;
    private long _connections;
    private long _bdSeq = -1;
    private int _serverIndex;
    private int _failuresInARow;
    private DateTimeOffset _connectAt;
    private DateTimeOffset _hostDeadline;
    private int _hostOfflineWalks;
    private bool _rebirthRequested;
    private bool _nextServerRequested;
    private readonly HashSet<string> _ignoredLogged = new(StringComparer.Ordinal);

    public SparkplugEdgeNode(
        SparkplugUpstreamConfiguration configuration,
        SparkplugNodeDescription node,
        ISparkplugRecordSource source,
        string dataDirectory,
        TimeProvider time,
        ILogger logger,
        SparkplugEdgeNodeOptions? options = null,
        SparkplugWriteChannel? writes = null)
    {
        _configuration = configuration;
        _source = source;
        _options = options ?? new SparkplugEdgeNodeOptions();
        _time = time;
        _logger = logger;
        _topics = new SparkplugTopics(configuration.GroupId, configuration.EdgeNodeId);
        _encoder = new SparkplugMessageEncoder(node) { ValueMismatch = OnValueMismatch };
        _bdSeqStore = new SparkplugBdSeqStore(dataDirectory, logger);
        _primaryHost = configuration.PrimaryHostId is { } host ? new SparkplugPrimaryHost(host) : null;
        _backoff = new Backoff(_options.BackoffInitial, _options.BackoffMaximum, new Random());
        _writes = configuration.Commands ? writes : null;
        _commandSender = "sparkplug:" + (configuration.PrimaryHostId ?? "dcmd");
        foreach (string alarmId in node.AlarmIds)
        {
            AlarmFor(alarmId);
        }
    }

    public SparkplugSessionState State => _state;

    /// <summary>The server of the current (or next) connection.</summary>
    public SparkplugServerAddress CurrentServer => _configuration.Servers[_serverIndex];

    /// <summary>The bdSeq of the current session, −1 before the first connect.</summary>
    public long BdSeq => Interlocked.Read(ref _bdSeq);

    /// <summary>Births published (first births of a connection and rebirths).</summary>
    public long Births { get; private set; }

    /// <summary>Messages published since start, births and DATA.</summary>
    public long MessagesPublished { get; private set; }

    /// <summary>Metrics sent with <c>is_historical</c>.</summary>
    public long HistoricalMetrics { get; private set; }

    /// <summary>Historical readings not replayed because their device had no birth (offline) at the time.</summary>
    public long SkippedHistoricalReadings { get; private set; }

    /// <summary>The delivery cursors: every record of the kind through this seq is at the broker.</summary>
    public long AcknowledgedTelemetry => Interlocked.Read(ref _ackFrames);

    public long AcknowledgedAlarms => Interlocked.Read(ref _ackAlarms);

    /// <summary>
    /// Runs the edge node until <paramref name="stoppingToken"/> is cancelled, then says goodbye (NDEATH, DISCONNECT).
    /// Never throws for a broker problem: it retries, on the next server, with backoff.
    /// </summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        _ackFrames = _source.AcknowledgedThrough(RecordKind.Telemetry);
        _ackAlarms = _source.AcknowledgedThrough(RecordKind.Alarm);
        _observedFrames = _ackFrames;
        _observedAlarms = _ackAlarms;
        _connectAt = _time.GetUtcNow();
        if (_writes is not null)
        {
            SparkplugLog.DeviceCommandsOn(_logger, _topics.DCmdFilter, string.Join(", ", _configuration.CommandsAllow));
        }

        try
        {
            while (true)
            {
                stoppingToken.ThrowIfCancellationRequested();
                try
                {
                    await StepAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (SparkplugSessionLostException ex)
                {
                    await LoseSessionAsync(ex.Message).ConfigureAwait(false);
                }
                catch (Exception ex) when (_session is not null && (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException or IOException))
                {
                    // MQTTnet reports a dead connection in several ways (a failed send, "not connected", a timeout).
                    await LoseSessionAsync(ex.GetBaseException().Message).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    TimeSpan delay = _backoff.Next();
                    SparkplugLog.Bug(_logger, ex, delay.TotalSeconds);
                    await DropSessionAsync().ConfigureAwait(false);
                    _connectAt = _time.GetUtcNow() + delay;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await StopSessionAsync().ConfigureAwait(false);
            MoveTo(SparkplugSessionState.Stopped);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_session is { } session)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>One turn of the loop: handle what the connection said, then do what the state calls for, or wait.</summary>
    private async Task StepAsync(CancellationToken cancellationToken)
    {
        long head = _source.LastSeq;
        await DrainEventsAsync(cancellationToken).ConfigureAwait(false);
        if (_session is { IsConnected: false } && _state != SparkplugSessionState.Disconnected)
        {
            // Normally the Disconnected event says so first; this also covers one dropped from a full event channel.
            throw new SparkplugSessionLostException("the connection closed");
        }

        DateTimeOffset now = _time.GetUtcNow();
        switch (_state)
        {
            case SparkplugSessionState.Disconnected:
            {
                bool caughtUp = await ObserveAsync(head, cancellationToken).ConfigureAwait(false);
                if (now >= _connectAt)
                {
                    await ConnectAsync(cancellationToken).ConfigureAwait(false);
                }
                else if (caughtUp)
                {
                    await WaitAsync(head, _connectAt - now, cancellationToken).ConfigureAwait(false);
                }

                break;
            }

            case SparkplugSessionState.AwaitingHost:
            {
                bool caughtUp = await ObserveAsync(head, cancellationToken).ConfigureAwait(false);
                if (_configuration.Servers.Count > 1 && now >= _hostDeadline)
                {
                    await LeaveAsync($"no online STATE from primary host '{_primaryHost!.HostId}' within {_options.HostWait.TotalSeconds:0}s", cancellationToken).ConfigureAwait(false);
                }
                else if (caughtUp)
                {
                    await WaitAsync(head, _configuration.Servers.Count > 1 ? _hostDeadline - now : null, cancellationToken).ConfigureAwait(false);
                }

                break;
            }

            case SparkplugSessionState.Born:
            {
                TimeSpan? next = await PublishAsync(head, cancellationToken).ConfigureAwait(false);
                if (next != TimeSpan.Zero)
                {
                    await WaitAsync(head, next, cancellationToken).ConfigureAwait(false);
                }

                break;
            }

            default:
                throw new InvalidOperationException($"the edge node loop runs in state {_state}");
        }
    }

    /// <summary>
    /// Waits until the connection says something, a record above <paramref name="head"/> is committed, or
    /// <paramref name="delay"/> passed (null: no timeout).
    /// </summary>
    private async Task WaitAsync(long head, TimeSpan? delay, CancellationToken cancellationToken)
    {
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task events = _events.Reader.WaitToReadAsync(wake.Token).AsTask();
        Task records = _source.WaitForRecordsAsync(head, wake.Token);
        // While connected, look at the connection at least every few seconds even when nothing else happens.
        if (_session is not null && (delay is null || delay > s_connectionCheck))
        {
            delay = s_connectionCheck;
        }

        // Beyond a day means "until something happens" (a host that is offline everywhere: no deadline).
        Task timer = delay is { } d && d < TimeSpan.FromDays(1)
            ? Task.Delay(d > TimeSpan.Zero ? d : TimeSpan.Zero, _time, wake.Token)
            : Task.Delay(Timeout.Infinite, wake.Token);
        await Task.WhenAny(events, records, timer).ConfigureAwait(false);
        await wake.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(events, records, timer).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// The one place the session state changes (always on the loop). Births only from a connection (never after its
    /// NDEATH: a session that ended is Disconnected until the next CONNECT), and nothing after Stopped.
    /// </summary>
    private void MoveTo(SparkplugSessionState next)
    {
        bool allowed = (_state, next) switch
        {
            (SparkplugSessionState.Stopped, _) => false,
            (_, SparkplugSessionState.Disconnected or SparkplugSessionState.Stopped) => true,
            (SparkplugSessionState.Disconnected, SparkplugSessionState.AwaitingHost or SparkplugSessionState.Born) => _session is not null,
            (SparkplugSessionState.AwaitingHost, SparkplugSessionState.Born) => _session is not null,
            (SparkplugSessionState.Born, SparkplugSessionState.Born) => true, // a rebirth
            _ => false,
        };
        if (!allowed)
        {
            throw new InvalidOperationException($"the edge node cannot go from {_state} to {next}");
        }

        _state = next;
    }

    private SparkplugAlarmState AlarmFor(string alarmId)
    {
        if (!_alarms.TryGetValue(alarmId, out SparkplugAlarmState? alarm))
        {
            alarm = new SparkplugAlarmState(alarmId, _aliases.ForAlarm(alarmId));
            _alarms.Add(alarmId, alarm);
        }

        return alarm;
    }

    /// <summary>The device's state with <paramref name="frame"/>'s tag table in force (a new table means a new DBIRTH).</summary>
    private SparkplugDeviceState DeviceFor(SparkplugDeviceFrame frame)
    {
        if (!_devices.TryGetValue(frame.DeviceId, out SparkplugDeviceState? device))
        {
            device = new SparkplugDeviceState(frame.DeviceId, frame.Tags, _aliases.ForDevice(frame.DeviceId, frame.Tags));
            _devices.Add(frame.DeviceId, device);
        }
        else if (!ReferenceEquals(device.Tags, frame.Tags))
        {
            device.Retable(frame.Tags, _aliases.ForDevice(frame.DeviceId, frame.Tags));
        }

        return device;
    }

    private void OnValueMismatch(string deviceId, SparkplugTag tag, Drivers.TagValue value)
    {
        if (_mismatchLogged.Add((deviceId, tag.Id)))
        {
            SparkplugLog.ValueDoesNotFit(_logger, deviceId, tag.Id, tag.Type.ToString(), value.ToString());
        }
    }

    private ulong NowMilliseconds() => (ulong)_time.GetUtcNow().ToUnixTimeMilliseconds();
}
