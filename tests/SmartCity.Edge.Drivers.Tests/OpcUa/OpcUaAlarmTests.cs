using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>
/// Alarms & conditions at the client level against the real node-opcua server: an event item with an EventFilter
/// on the Server object, ConditionRefresh, and Acknowledge with the condition's latest EventId.
/// </summary>
[Collection(OpcUaServerCollection.Name)]
public sealed class OpcUaAlarmTests
{
    private readonly OpcUaServerFixture _fixture;

    public OpcUaAlarmTests(OpcUaServerFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task ActiveAlarm_RefreshThenAcknowledge_ServerReportsAcked()
    {
        UaEndpointUrl.TryParse(_fixture.Server.EndpointUrl, out UaEndpointUrl? endpoint, out _);
        await using var client = new UaClient(new UaClientOptions { Endpoint = endpoint! }, TimeProvider.System, NullLogger.Instance);
        await client.ConnectAsync(TestTimeouts.Token());
        var handler = new EventHandler();
        var item = new UaMonitoredItemRequest(UaTypeIds.Server, 7, 0, 1000) { EventFields = UaSimpleAttributeOperand.AlarmFields };
        UaSubscription subscription = await client.CreateSubscriptionAsync(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), [item], handler, TestTimeouts.Token());

        await client.Session!.CallMethodAsync(UaTypeIds.ConditionType, UaTypeIds.ConditionRefreshMethod, [new UaVariant(UaBuiltInType.UInt32, subscription.SubscriptionId)], TestTimeouts.Token());
        var alarm = UaNodeId.FromString(1, "Alarms.TemperatureAlarm");
        UaVariant[] active = await handler.WaitForAsync(f => alarm.Equals(f[6].Value) && f[7].Value is true);

        // Fields in AlarmFields order: EventId, EventType, SourceName, Time, Message, Severity, ConditionId, ActiveState/Id, AckedState/Id, Retain.
        byte[] eventId = Assert.IsType<byte[]>(active[0].Value);
        UaNodeId conditionId = Assert.IsType<UaNodeId>(active[6].Value);
        Assert.Equal(alarm, conditionId);
        Assert.Equal("1:Temperature", active[2].Value); // node-opcua names the source by its qualified browse name
        Assert.Contains("High", Assert.IsType<UaLocalizedText>(active[4].Value).Text, StringComparison.Ordinal);
        Assert.IsType<ushort>(active[5].Value);
        Assert.Equal(false, active[8].Value);

        await client.Session.AcknowledgeAsync(conditionId, eventId, "seen by SmartCity.Edge test", TestTimeouts.Token());

        UaVariant[] acked = await handler.WaitForAsync(f => conditionId.Equals(f[6].Value) && f[8].Value is true);
        Assert.Equal(true, acked[7].Value);

        // The EventId acknowledged is stale now: the server says so with a typed status.
        UaServiceException stale = await Assert.ThrowsAsync<UaServiceException>(() => client.Session.AcknowledgeAsync(conditionId, [1, 2, 3], "stale", TestTimeouts.Token()));
        Assert.Equal("BadEventIdUnknown", stale.StatusCode.Name);
    }

    private sealed class EventHandler : IUaDataChangeHandler
    {
        private readonly Channel<UaVariant[]> _events = Channel.CreateUnbounded<UaVariant[]>();

        public async Task<UaVariant[]> WaitForAsync(Func<UaVariant[], bool> match)
        {
            using var timeout = new CancellationTokenSource(TestTimeouts.Passing);
            var seen = new List<string>();
            while (true)
            {
                UaVariant[] fields;
                try
                {
                    fields = await _events.Reader.ReadAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new Xunit.Sdk.XunitException("no matching event; events seen: " + string.Join(" || ", seen));
                }

                seen.Add(string.Join(", ", fields.Select(f => $"{f.Type}:{f.Value}")));
                if (fields.Length == UaSimpleAttributeOperand.AlarmFields.Count && match(fields))
                {
                    return fields;
                }
            }
        }

        public ValueTask OnDataChangeAsync(uint clientHandle, UaDataValue value, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask OnItemFailedAsync(uint clientHandle, UaStatusCode status, CancellationToken cancellationToken) =>
            throw new InvalidOperationException(status.Name);

        public ValueTask OnEventAsync(uint clientHandle, UaVariant[] fields, CancellationToken cancellationToken) => _events.Writer.WriteAsync(fields, cancellationToken);
    }
}
