using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>
/// <c>events:</c> on the <c>opcua</c> driver against the real node-opcua server: conditions arrive as device alarms
/// (refresh after connect, live changes), and an acknowledgement through the driver is seen acknowledged on the server.
/// </summary>
[Collection(OpcUaServerCollection.Name)]
public sealed class OpcUaDriverEventTests
{
    private static readonly UaNodeId s_pressure = UaNodeId.FromString(1, "Alarms.Pressure");
    private readonly OpcUaServerFixture _fixture;

    public OpcUaDriverEventTests(OpcUaServerFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task Connect_ActiveConditionOnServer_ArrivesByRefreshThenSynchronized()
    {
        var alarms = new CollectingAlarmSink();
        await using OpcUaDriver driver = OpcUaDriverHarness.Create($$"""
            id: boiler
            endpoint: {{_fixture.Server.EndpointUrl}}
            events: true
            tags: []
            """, Path.GetTempPath(), alarms);

        await driver.ConnectAsync(new CollectingSink(driver.Device.Tags), TestTimeouts.Token());

        DeviceAlarm temperature = await alarms.WaitForAsync(a => a.ConditionId == "ns=1;s=Alarms.TemperatureAlarm");
        IReadOnlyCollection<string> retained = await alarms.WaitForSynchronizationAsync();
        Assert.Equal(("boiler", "Alarms.TemperatureAlarm", "1:Temperature", true), (temperature.DeviceId, temperature.Name, temperature.SourceName, temperature.Active));
        Assert.InRange(temperature.DeviceSeverity, 1, 1000);
        Assert.Equal(OpcUaSeverityMap.Default.Map(temperature.DeviceSeverity), temperature.Severity);
        Assert.Contains("ns=1;s=Alarms.TemperatureAlarm", retained);
    }

    [Fact]
    public async Task RaisedCondition_AcknowledgedThroughDriver_ServerReportsAckedThenCleared()
    {
        var alarms = new CollectingAlarmSink();
        await using OpcUaDriver driver = OpcUaDriverHarness.Create($$"""
            id: boiler
            endpoint: {{_fixture.Server.EndpointUrl}}
            publishing_interval: 50ms
            events: { notifiers: ["ns=1;s=Alarms"], severity_map: { warning: 100, high: 200, critical: 300 } }
            tags: []
            """, Path.GetTempPath(), alarms);
        await driver.ConnectAsync(new CollectingSink(driver.Device.Tags), TestTimeouts.Token());
        await using UaClient observer = await ConnectObserverAsync();

        await WritePressureAsync(observer, 95);
        DeviceAlarm raised = await alarms.WaitForAsync(a => a.ConditionId == "ns=1;s=Alarms.PressureAlarm" && a.Active);
        Assert.False(raised.Acknowledged);
        Assert.InRange(raised.DeviceSeverity, 100, 199); // node-opcua raises a limit alarm at severity 150
        Assert.Equal(DeviceAlarmSeverity.Warning, raised.Severity); // by the configured map, not the default (info)

        await driver.AcknowledgeAlarmAsync(raised.ConditionId, "on my way", TestTimeouts.Token());

        DeviceAlarm acked = await alarms.WaitForAsync(a => a.ConditionId == raised.ConditionId && a.Acknowledged);
        Assert.True(acked.Active);
        Assert.True(await ReadAckedStateAsync(observer, raised.ConditionId), "the server's own AckedState/Id says acknowledged");

        await WritePressureAsync(observer, 20);
        DeviceAlarm cleared = await alarms.WaitForAsync(a => a.ConditionId == raised.ConditionId && !a.Active);
        Assert.True(cleared.Acknowledged);
    }

    [Fact]
    public async Task Acknowledge_UnknownCondition_TypedErrorConnectionStays()
    {
        var alarms = new CollectingAlarmSink();
        await using OpcUaDriver driver = OpcUaDriverHarness.Create($$"""
            id: boiler
            endpoint: {{_fixture.Server.EndpointUrl}}
            events: true
            tags: [ { id: t, node: "ns=1;s=Scalars.Double", mode: poll } ]
            """, Path.GetTempPath(), alarms);
        var readings = new CollectingSink(driver.Device.Tags);
        await driver.ConnectAsync(readings, TestTimeouts.Token());

        DeviceAlarmAcknowledgeException unknown = await Assert.ThrowsAsync<DeviceAlarmAcknowledgeException>(
            () => driver.AcknowledgeAlarmAsync("ns=1;s=No.Such.Condition", null, TestTimeouts.Token()).AsTask());

        Assert.Equal("unknown_alarm", unknown.Code);
        await driver.PollAsync(TestTimeouts.Token());
        Assert.Equal(Quality.Good, (await readings.WaitForAsync(r => r.TagId == "t")).Quality);
    }

    private async Task<UaClient> ConnectObserverAsync()
    {
        UaEndpointUrl.TryParse(_fixture.Server.EndpointUrl, out UaEndpointUrl? endpoint, out _);
        var client = new UaClient(new UaClientOptions { Endpoint = endpoint! }, TimeProvider.System, NullLogger.Instance);
        await client.ConnectAsync(TestTimeouts.Token());
        return client;
    }

    private static async Task WritePressureAsync(UaClient client, double value)
    {
        UaStatusCode[] results = await client.WriteAsync([new UaWriteValue(s_pressure, new UaDataValue(new UaVariant(UaBuiltInType.Double, value)))], TestTimeouts.Token());
        Assert.True(results[0].IsGood, results[0].Name);
    }

    /// <summary>Reads the condition's AckedState/Id on the server, independent of events (browse path from the condition node).</summary>
    private static async Task<bool> ReadAckedStateAsync(UaClient client, string conditionId)
    {
        UaBrowsePathResult[] paths = await client.TranslateBrowsePathsAsync(
            [new UaBrowsePath(UaNodeId.Parse(conditionId), [new UaQualifiedName(0, "AckedState"), new UaQualifiedName(0, "Id")])], TestTimeouts.Token());
        Assert.True(paths[0].StatusCode.IsGood, paths[0].StatusCode.Name);
        UaDataValue[] values = await client.ReadAsync([new UaReadValueId(paths[0].Targets[0].NodeId)], TestTimeouts.Token());
        return Assert.IsType<bool>(values[0].Value.Value);
    }
}
