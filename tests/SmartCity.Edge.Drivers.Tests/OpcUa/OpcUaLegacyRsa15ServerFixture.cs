namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>
/// A node-opcua server that also offers the deprecated Basic128Rsa15 policy (server.js --legacy-rsa15), run with
/// <c>node --security-revert=CVE-2023-46809</c> so that Node.js decrypts RSA PKCS#1 v1.5 again. Its own instance:
/// the shared server of the "opcua-server" collection keeps Node's default refusal.
/// </summary>
public sealed class OpcUaLegacyRsa15ServerFixture : IAsyncLifetime
{
    private NodeOpcUaServer? _server;

    public NodeOpcUaServer Server => _server ?? throw new InvalidOperationException("server not started");

    public async Task InitializeAsync() => _server = await NodeOpcUaServer.StartAsync(legacyRsa15: true);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
