using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>A client without subscriptions keeps its session alive by itself (OPC 10000-4 §6.7).</summary>
[Collection(OpcUaServerCollection.Name)]
public sealed class OpcUaSessionKeepAliveTests
{
    private readonly OpcUaServerFixture _fixture;

    public OpcUaSessionKeepAliveTests(OpcUaServerFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task IdleLongerThanSessionTimeout_NoSubscriptions_SessionStillValid()
    {
        UaEndpointUrl.TryParse(_fixture.Server.EndpointUrl, out UaEndpointUrl? endpoint, out _);
        // 5 s, not less: the keep-alive read comes after a third of it, and the slack left must absorb a process starved
        // for seconds on the shared test machine (1.5 s failed there under a load of 60).
        await using var client = new UaClient(new UaClientOptions { Endpoint = endpoint!, SessionTimeout = TimeSpan.FromSeconds(5) }, TimeProvider.System, NullLogger.Instance);
        await client.ConnectAsync(TestTimeouts.Token());
        UaNodeId sessionId = client.Session!.SessionId;

        await Task.Delay(TimeSpan.FromSeconds(10)); // idle for twice the session timeout: the behaviour under test
        UaDataValue[] values = await client.ReadAsync([new UaReadValueId(UaNodeId.FromString(1, "Scalars.Int32"))], TestTimeouts.Token());

        Assert.Equal(TimeSpan.FromSeconds(5), client.SessionTimeout);
        Assert.Equal(-2000000000, values[0].Value.Value);
        Assert.Equal(sessionId, client.Session!.SessionId);
        Assert.Equal(0, client.ReconnectCount);
    }
}
