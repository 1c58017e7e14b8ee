namespace SmartCity.Edge.Drivers.Tests.Modbus.Peers;

/// <summary>One server of each kind per test class, started on first use and stopped by PID at the end.</summary>
public sealed class ModbusServersFixture : IAsyncLifetime
{
    private readonly Dictionary<ModbusServerKind, Task<ModbusServer>> _servers = [];

    internal Task<ModbusServer> GetAsync(ModbusServerKind kind)
    {
        lock (_servers)
        {
            if (!_servers.TryGetValue(kind, out Task<ModbusServer>? server))
            {
                server = ModbusServer.StartAsync(kind);
                _servers.Add(kind, server);
            }

            return server;
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (Task<ModbusServer> server in _servers.Values)
        {
            if (server.IsCompletedSuccessfully)
            {
                await server.Result.DisposeAsync();
            }
        }
    }
}
