namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>One node-opcua server shared by the tests of the "opcua-server" collection (start costs ~2 s).</summary>
public sealed class OpcUaServerFixture : IAsyncLifetime
{
    private NodeOpcUaServer? _server;

    public NodeOpcUaServer Server => _server ?? throw new InvalidOperationException("server not started");

    public async Task InitializeAsync() => _server = await NodeOpcUaServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class OpcUaServerCollection : ICollectionFixture<OpcUaServerFixture>
{
    public const string Name = "opcua-server";
}
