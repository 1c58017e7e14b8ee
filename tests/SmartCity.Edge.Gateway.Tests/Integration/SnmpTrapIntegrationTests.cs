using System.Globalization;
using System.Text.RegularExpressions;
using System.Text.Json;
using SmartCity.Edge.Gateway.Tests.Cli;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// SNMP traps end to end: the real gateway binary with <c>snmp_traps:</c> and two UPSes with <c>profile: ups-mib</c>
/// (v2c and v3 on Debian's snmpd), a real mosquitto, and net-snmp's snmptrap/snmpinform as the UPS. A v2c trap and a
/// v3 authPriv inform become device alarms on MQTT; an operator's ack over MQTT and the clearing trap move them on.
/// </summary>
public sealed class SnmpTrapIntegrationTests : IAsyncLifetime
{
    private const string Prefix = "smartcity/lab/snmp-gw";
    private const string U = "1.3.6.1.2.1.33.1";
    private const string T = "1.3.6.1.2.1.33.2";
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-snmp-traps-").FullName;
    private int _trapPort;
    private MosquittoBroker _broker = null!;
    private SnmpdAgent _snmpd = null!;

    private CommandTokens? _tokens;

    private CommandTokens Tokens => _tokens ??= new CommandTokens(Path.Combine(_directory, "keys"));

    private string Listener => $"127.0.0.1:{_trapPort}";

    /// <summary>
    /// The trap listener binds port 0 (<c>snmp_traps.listen: 127.0.0.1:0</c>) and logs the port it got: no port is
    /// handed over between a probe and the gateway, so no other process can take it in between.
    /// </summary>
    private async Task ReadTrapPortAsync(GatewayProcess gateway)
    {
        string line = await gateway.WaitForLogLineAsync("SNMP trap listener on 127.0.0.1:", TestTimeouts.Long);
        Match bound = Regex.Match(line, @"SNMP trap listener on 127\.0\.0\.1:(\d+)");
        Assert.True(bound.Success, line);
        _trapPort = int.Parse(bound.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    public async Task InitializeAsync()
    {
        _broker = await MosquittoBroker.StartAsync();
        _snmpd = await SnmpdAgent.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _snmpd.DisposeAsync();
        await _broker.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task V2cTrapAndV3Inform_BecomeAlarms_AckedOverMqtt_ClearedByTrap()
    {
        string config = TestConfigs.Write(_directory, Config());
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(_broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        await ReadTrapPortAsync(gateway);
        await gateway.WaitForLogAsync("SNMP device ups-v3: ", TestTimeouts.Long);
        await gateway.WaitForLogAsync("SNMP device ups-v2c: ", TestTimeouts.Long);

        var (code, _, stderr) = await Tool("snmptrap", "-v2c", "-c", "traps-v2c", Listener, "", T + ".1", U + ".2.3.0", "i", "42");
        Assert.True(code == 0, stderr);
        JsonElement onBattery = await WaitForTransitionAsync(gateway, subscriber, "ups-v2c-on_battery", "active");
        Assert.Equal("UPS on battery: 42 min of battery left", onBattery.GetProperty("message").GetString());
        Assert.Equal("critical", onBattery.GetProperty("severity").GetString());
        Assert.Equal("ups-v2c", onBattery.GetProperty("device").GetString());

        (code, _, stderr) = await Tool("snmpinform", "-v3", "-u", "usha", "-l", "authPriv", "-a", "SHA", "-A", "authpass123", "-x", "AES", "-X", "privpass123", Listener, "", T + ".3", U + ".6.2.1.2.3", "o", U + ".6.3.3");
        Assert.True(code == 0, "snmpinform got no acknowledgement: " + stderr);
        JsonElement lowBattery = await WaitForTransitionAsync(gateway, subscriber, "ups-v3-low_battery", "active");
        Assert.Equal("ups-v3", lowBattery.GetProperty("device").GetString());

        long occurrence = onBattery.GetProperty("seq").GetInt64();
        await subscriber.PublishAsync(Prefix + "/commands/ack", await Tokens.CliAsync("ups-v2c-on_battery", occurrence, "desk-1"));
        JsonElement acknowledged = await WaitForTransitionAsync(gateway, subscriber, "ups-v2c-on_battery", "acknowledged");
        Assert.Equal("desk-1", acknowledged.GetProperty("ack").GetProperty("by").GetString());

        (code, _, stderr) = await Tool("snmptrap", "-v2c", "-c", "traps-v2c", Listener, "", T + ".4", U + ".6.2.1.2.9", "o", U + ".6.3.2");
        Assert.True(code == 0, stderr);
        await WaitForTransitionAsync(gateway, subscriber, "ups-v2c-on_battery", "cleared");

        // A trap with the wrong community is dropped, and said so once.
        await Tool("snmptrap", "-v2c", "-c", "guess", Listener, "", T + ".1");
        await gateway.WaitForLogAsync("wrong community", TestTimeouts.Long);
        Assert.False(gateway.HasExited, gateway.Log);
    }

    [Fact]
    public async Task V2cTrap_TrapOidAndUnknownVarbind_PublishedAsTelemetryOfTagsNamedAtRunTime()
    {
        string config = TestConfigs.Write(_directory, Config());
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(_broker.Port, Prefix + "/telemetry/ups-v2c");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        await ReadTrapPortAsync(gateway);
        await gateway.WaitForLogAsync("SNMP device ups-v2c: ", TestTimeouts.Long);

        // "trap" and "trap.{oid}" are not configured tags: the driver names them, the gateway adds them to the device's
        // tag table, and the frame goes through buffer and encoder like any other.
        var (code, _, stderr) = await Tool("snmptrap", "-v2c", "-c", "traps-v2c", Listener, "", T + ".5", "1.3.6.1.4.1.99999.7.0", "s", "door open");
        Assert.True(code == 0, stderr);
        List<ReceivedMessage> received = await subscriber.CollectUntilAsync(
            r => Reading(r, "trap") is not null && Reading(r, "trap.1.3.6.1.4.1.99999.7.0") is not null, TestTimeouts.Long);
        Assert.Equal(T + ".5", Reading(received, "trap")!.Value.GetProperty("value").GetString());
        JsonElement varbind = Reading(received, "trap.1.3.6.1.4.1.99999.7.0")!.Value;
        Assert.Equal("door open", varbind.GetProperty("value").GetString());
        Assert.Equal("good", varbind.GetProperty("quality").GetString());

        // The configured tags keep their ids next to them (the profile's polled tags).
        await subscriber.CollectUntilAsync(r => Reading(r, "minutes_remaining") is not null || Reading(received, "minutes_remaining") is not null, TestTimeouts.Long);
        Assert.False(gateway.HasExited, gateway.Log);
    }

    private static JsonElement? Reading(List<ReceivedMessage> received, string tag)
    {
        foreach (ReceivedMessage message in received)
        {
            foreach (JsonElement reading in message.Json.GetProperty("readings").EnumerateArray())
            {
                if (reading.GetProperty("tag").GetString() == tag)
                {
                    return reading;
                }
            }
        }

        return null;
    }

    private string Config() => $$"""
        gateway:
          id: snmp-gw
          site: lab
          data_dir: {{_directory}}/data
        snmp_traps:
          listen: "127.0.0.1:0"
        devices:
          - id: ups-v2c
            driver: snmp
            host: 127.0.0.1
            port: {{_snmpd.Port}}
            community: public
            trap_community: traps-v2c
            profile: ups-mib
            poll_interval: 2s
          - id: ups-v3
            driver: snmp
            host: 127.0.0.1
            port: {{_snmpd.Port}}
            version: 3
            user: usha
            auth: { protocol: sha, password: authpass123 }
            priv: { protocol: aes, password: privpass123 }
            poll_interval: 2s
            profile: ups-mib
        upstream:
          mqtt:
            server: mqtt://127.0.0.1:{{_broker.Port}}
            client_id: snmp-gw
            topic_prefix: {{Prefix}}
            qos: 1
        {{Tokens.Section()}}
        """;

    private Task<(int ExitCode, string Stdout, string Stderr)> Tool(string tool, params string[] arguments) =>
        SnmpTool.RunAsync(tool, _directory, arguments);

    private static async Task<JsonElement> WaitForTransitionAsync(GatewayProcess gateway, MqttTestSubscriber subscriber, string alarm, string state)
    {
        try
        {
            List<ReceivedMessage> received = await subscriber.CollectUntilAsync(r => Find(r, alarm, state) is not null, TestTimeouts.Long);
            return Find(received, alarm, state)!.Value;
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "\ngateway log:\n" + gateway.Log, ex);
        }
    }

    private static JsonElement? Find(List<ReceivedMessage> received, string alarm, string state)
    {
        foreach (ReceivedMessage message in received)
        {
            if (message.Topic == Prefix + "/alarms" && message.Json.GetProperty("alarm").GetString() == alarm && message.Json.GetProperty("state").GetString() == state)
            {
                return message.Json;
            }
        }

        return null;
    }
}
