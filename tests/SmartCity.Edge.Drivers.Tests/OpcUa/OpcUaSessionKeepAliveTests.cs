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
        await using var client = new UaClient(new UaClientOptions { Endpoint = endpoint!, SessionTimeout = TimeSpan.FromMilliseconds(1500) }, TimeProvider.System, NullLogger.Instance);
        await client.ConnectAsync(TestTimeouts.Token());
        UaNodeId sessionId = client.Session!.SessionId;

        await Task.Delay(TimeSpan.FromSeconds(3)); // idle for twice the session timeout: the behaviour under test
        UaDataValue[] values = await client.ReadAsync([new UaReadValueId(UaNodeId.FromString(1, "Scalars.Int32"))], TestTimeouts.Token());

        Assert.Equal(TimeSpan.FromMilliseconds(1500), client.SessionTimeout);
        Assert.Equal(-2000000000, values[0].Value.Value);
        Assert.Equal(sessionId, client.Session!.SessionId);
        Assert.Equal(0, client.ReconnectCount);
    }
}
