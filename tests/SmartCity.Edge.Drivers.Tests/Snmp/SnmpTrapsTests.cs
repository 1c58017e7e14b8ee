using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers.Snmp;
using SmartCity.Edge.Drivers.Tests.OpcUa;
using SmartCity.Edge.Drivers.Tests.Snmp.Peers;

namespace SmartCity.Edge.Drivers.Tests.Snmp;

/// <summary>
/// The trap listener fed by net-snmp's snmptrap and snmpinform (v1, v2c, v3 authPriv): traps become device alarms
/// and readings of the device whose host sent them; informs are acknowledged (the tools exit 0) and delivered once;
/// forged, unknown and badly authenticated datagrams are counted and change nothing.
/// </summary>
public sealed class SnmpTrapsTests : IClassFixture<SnmpdFixture>, IAsyncLifetime
{
    private const string U = "1.3.6.1.2.1.33.1";
    private const string T = "1.3.6.1.2.1.33.2";
    private readonly SnmpdAgent _agent;
    private readonly SnmpTrapRouter _router = new();
    private readonly CollectingSink _readings = new(tags: null);
    private readonly CollectingAlarmSink _alarms = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("snmptraps-").FullName;
    private SnmpTrapListener _listener = null!;
    private Task _running = Task.CompletedTask;
    private readonly List<SnmpDriver> _drivers = [];

    public SnmpTrapsTests(SnmpdFixture fixture) => _agent = fixture.Agent;

    private string Listener => $"127.0.0.1:{_listener.LocalEndPoint.Port}";

    public Task InitializeAsync()
    {
        var settings = new SnmpTrapListenerSettings(new IPEndPoint(IPAddress.Loopback, 0), StrictTimeWindow: false, EngineId: null);
        SnmpLocalEngine engine = SnmpLocalEngine.Start(_dataDirectory, null, TimeProvider.System, out _);
        _listener = new SnmpTrapListener(settings, [_router], engine, TimeProvider.System, NullLogger.Instance);
        _running = _listener.RunAsync(_stop.Token);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.WaitAsync(TestTimeouts.Passing);
        _listener.Dispose();
        foreach (SnmpDriver driver in _drivers)
        {
            await driver.DisposeAsync();
        }

        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task V2cTrap_UpsOnBatteryThenAlarmRemoved_RaisesAndClears_VarbindUpdatesTag()
    {
        await AttachUpsAsync();
        await SendAsync("snmptrap", "-v2c", "-c", "public", Listener, "", T + ".1", U + ".2.3.0", "i", "42", U + ".2.2.0", "i", "60");

        DeviceAlarm raised = await _alarms.WaitForAsync(a => a.ConditionId == "on_battery" && a.Active);
        Assert.Equal("UPS on battery: 42 min of battery left", raised.Message);
        Assert.Equal(DeviceAlarmSeverity.Critical, raised.Severity);
        Assert.Equal(T + ".1", (await _readings.WaitForAsync(r => r.TagId == "trap")).Value.AsString());
        Assert.Equal(42, (await _readings.WaitForAsync(r => r.TagId == "minutes_remaining")).Value.AsInt64());

        // upsTrapAlarmEntryRemoved for the onBattery row clears it; one for another alarm does not.
        await SendAsync("snmptrap", "-v2c", "-c", "public", Listener, "", T + ".4", U + ".6.2.1.2.7", "o", U + ".6.3.9");
        await SendAsync("snmptrap", "-v2c", "-c", "public", Listener, "", T + ".4", U + ".6.2.1.2.5", "o", U + ".6.3.2");
        DeviceAlarm cleared = await _alarms.WaitForAsync(a => a.ConditionId == "on_battery" && !a.Active);
        Assert.False(cleared.Acknowledged);
        Assert.True(cleared.Retain);
        Assert.Equal(2, _alarms.All.Count(a => a.ConditionId == "on_battery"));
    }

    [Fact]
    public async Task V1Trap_EnterpriseSpecific_MatchesV2TrapOid()
    {
        await AttachUpsAsync();
        await SendAsync("snmptrap", "-v1", "-c", "public", Listener, T, "10.0.0.5", "6", "1", "12345", U + ".2.3.0", "i", "9");
        DeviceAlarm raised = await _alarms.WaitForAsync(a => a.ConditionId == "on_battery" && a.Active);
        Assert.Equal("UPS on battery: 9 min of battery left", raised.Message);
        Assert.Equal(T + ".0.1", (await _readings.WaitForAsync(r => r.TagId == "trap")).Value.AsString());
    }

    [Fact]
    public async Task V2cInform_AlarmEntryAddedLowBattery_AcknowledgedAndDeliveredOnce()
    {
        await AttachUpsAsync();
        var (code, _, stderr) = await SendAsync("snmpinform", "-v2c", "-c", "public", "-r", "3", Listener, "", T + ".3", U + ".6.2.1.2.3", "o", U + ".6.3.3");
        Assert.True(code == 0, stderr);
        DeviceAlarm raised = await _alarms.WaitForAsync(a => a.ConditionId == "low_battery" && a.Active);
        Assert.Equal("UPS battery low", raised.Message);
        Assert.Equal("lowBattery", (await _readings.WaitForAsync(r => r.TagId == "alarm.3")).Value.AsString());
        Assert.Equal(1, _listener.Statistics.Delivered);
    }

    [Fact]
    public async Task V2cTrap_TestCompleted_EventKeptUntilAcknowledged()
    {
        SnmpDriver driver = await AttachUpsAsync();
        await SendAsync("snmptrap", "-v2c", "-c", "public", Listener, "", T + ".2", U + ".7.3.0", "i", "1");
        await _alarms.WaitForAsync(a => a.ConditionId == "test_completed" && a.Active);
        DeviceAlarm over = await _alarms.WaitForAsync(a => a.ConditionId == "test_completed" && !a.Active);
        Assert.True(over.Retain);
        Assert.Contains("result 1", over.Message, StringComparison.Ordinal);

        await driver.AcknowledgeAlarmAsync("test_completed", "seen", CancellationToken.None);
        DeviceAlarm acknowledged = await _alarms.WaitForAsync(a => a.ConditionId == "test_completed" && a.Acknowledged);
        Assert.False(acknowledged.Active);
        Assert.False(acknowledged.Retain);
    }

    [Fact]
    public async Task V3TrapAuthPriv_SenderEngine_RaisesAlarm()
    {
        await AttachV3UpsAsync();
        await SendAsync("snmptrap", "-v3", "-e", "0x8000000001020304", "-u", "usha", "-l", "authPriv", "-a", "SHA", "-A", "authpass123", "-x", "AES", "-X", "privpass123", Listener, "", T + ".1", U + ".2.3.0", "i", "17");
        DeviceAlarm raised = await _alarms.WaitForAsync(a => a.ConditionId == "on_battery" && a.Active);
        Assert.Equal("UPS on battery: 17 min of battery left", raised.Message);
    }

    [Fact]
    public async Task V3InformAuthPriv_DiscoversOurEngine_AcknowledgedOnce()
    {
        await AttachV3UpsAsync();
        var (code, _, stderr) = await SendAsync("snmpinform", "-v3", "-u", "usha", "-l", "authPriv", "-a", "SHA", "-A", "authpass123", "-x", "AES", "-X", "privpass123", Listener, "", T + ".3", U + ".6.2.1.2.3", "o", U + ".6.3.3");
        Assert.True(code == 0, stderr);
        await _alarms.WaitForAsync(a => a.ConditionId == "low_battery" && a.Active);
        Assert.Equal(1, _listener.Statistics.Delivered);
    }

    [Fact]
    public async Task BadTraps_WrongCommunityWrongPasswordUnknownUser_CountedAndIgnored()
    {
        await AttachUpsAsync();
        await AttachV3UpsAsync("ups-v3");
        await SendAsync("snmptrap", "-v2c", "-c", "not-public", Listener, "", T + ".1", U + ".2.3.0", "i", "1");
        await SendAsync("snmptrap", "-v3", "-e", "0x8000000001020304", "-u", "usha", "-l", "authPriv", "-a", "SHA", "-A", "wrongpass123", "-x", "AES", "-X", "privpass123", Listener, "", T + ".1");
        await SendAsync("snmptrap", "-v3", "-e", "0x8000000001020304", "-u", "mallory", "-l", "authPriv", "-a", "SHA", "-A", "authpass123", "-x", "AES", "-X", "privpass123", Listener, "", T + ".1");
        await SendAsync("snmptrap", "-v3", "-e", "0x8000000001020304", "-u", "usha", "-l", "authNoPriv", "-a", "SHA", "-A", "authpass123", Listener, "", T + ".1");
        SendForged(IPAddress.Parse("127.0.0.2"));
        SendGarbage();

        // The listener handles datagrams in order: once this good trap is through, every one before it was judged.
        await SendAsync("snmptrap", "-v2c", "-c", "public", Listener, "", T + ".2", U + ".7.3.0", "i", "2");
        await _alarms.WaitForAsync(a => a.ConditionId == "test_completed");
        Assert.DoesNotContain(_alarms.All, a => a.ConditionId == "on_battery");
        SnmpTrapStatistics stats = _listener.Statistics;
        Assert.Equal(1, stats.Rejected(SnmpTrapRejection.WrongCommunity));
        Assert.Equal(1, stats.Rejected(SnmpTrapRejection.WrongDigest));
        Assert.Equal(1, stats.Rejected(SnmpTrapRejection.UnknownUser));
        Assert.Equal(1, stats.Rejected(SnmpTrapRejection.SecurityLevel));
        Assert.Equal(1, stats.Rejected(SnmpTrapRejection.UnknownSource));
        Assert.Equal(1, stats.Rejected(SnmpTrapRejection.Malformed));
        Assert.Equal(1, stats.Delivered);
    }

    [Fact]
    public async Task V2cInform_ReplayedDatagram_AcknowledgedAgainDeliveredOnce()
    {
        await AttachUpsAsync();
        byte[] inform = InformBytes(requestId: 4242);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        byte[] buffer = new byte[2048];
        for (int i = 0; i < 3; i++)
        {
            await socket.SendToAsync(inform, SocketFlags.None, _listener.LocalEndPoint);
            SocketReceiveFromResult ack = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(TestTimeouts.Passing);
            SnmpPdu response = SnmpCommunityMessage.Read(buffer.AsSpan(0, ack.ReceivedBytes), out _, out _);
            Assert.Equal((SnmpPduType.Response, 4242), (response.Type, response.RequestId));
        }

        Assert.Equal(1, _listener.Statistics.Delivered);
        Assert.Equal(2, _listener.Statistics.Duplicates);
    }

    private async Task<SnmpDriver> AttachUpsAsync(string id = "ups-1") => await AttachAsync($$"""
        id: {{id}}
        driver: snmp
        host: 127.0.0.1
        port: {{_agent.Port}}
        community: public
        profile: ups-mib
        """);

    private async Task<SnmpDriver> AttachV3UpsAsync(string id = "ups-1") => await AttachAsync($$"""
        id: {{id}}
        driver: snmp
        host: 127.0.0.1
        port: {{_agent.Port}}
        version: 3
        user: usha
        auth: { protocol: sha, password: authpass123 }
        priv: { protocol: aes, password: privpass123 }
        profile: ups-mib
        """);

    private async Task<SnmpDriver> AttachAsync(string yaml)
    {
        SnmpDriver driver = SnmpDriverHarness.Create(yaml, _router, _alarms);
        _drivers.Add(driver);
        _readings.Tags ??= driver.Device.Tags; // the readings the tests look at are of the first device attached
        await driver.ConnectAsync(_readings, CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Passing);
        return driver;
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> SendAsync(string tool, params string[] arguments) =>
        SnmpTool.RunAsync(tool, _dataDirectory, arguments);

    private static byte[] InformBytes(int requestId)
    {
        var pdu = new SnmpPdu(SnmpPduType.InformRequest, requestId, [
            new(SnmpNotification.SysUpTime, SnmpValue.TimeTicks(100)),
            new(SnmpNotification.SnmpTrapOid, SnmpValue.ObjectIdentifier(SnmpOid.Parse(T + ".2"))),
        ]);
        return SnmpCommunityMessage.Write(new byte[512], SnmpVersion.V2c, "public"u8, pdu).ToArray();
    }

    private void SendForged(IPAddress from)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(from, 0));
        socket.SendTo(InformBytes(7), _listener.LocalEndPoint);
    }

    private void SendGarbage()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.SendTo([0x30, 0x84, 0x7F, 0xFF, 0xFF, 0xFF, 0x02, 0x01], _listener.LocalEndPoint);
    }
}
