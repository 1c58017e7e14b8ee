namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>Base of tests that run the gateway against their own mosquitto, in their own temp folder.</summary>
public abstract class BrokerTest : IAsyncLifetime
{
    protected string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("edge-it-").FullName;

    internal MosquittoBroker Broker { get; private set; } = null!;

    public async Task InitializeAsync() => Broker = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync()
    {
        await Broker.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
