using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>
/// A server that comes back after a restart with a malformed certificate on its None endpoint (a broken PKI, or
/// whoever answers in its place): each reconnect attempt fails as an ordinary refused certificate, the reconnect loop
/// goes on, and the client is back as soon as the server is fixed. Its own node-opcua server: the test restarts it.
/// </summary>
public sealed class OpcUaMalformedCertificateTests : IAsyncLifetime
{
    private readonly string _pki = Directory.CreateTempSubdirectory("smartcity-edge-malformed-pki-").FullName;
    private readonly RecordingLoggerFactory _logs = new();
    private NodeOpcUaServer _server = null!;

    public async Task InitializeAsync() => _server = await NodeOpcUaServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_pki, recursive: true);
    }

    [Fact]
    public async Task Reconnect_ServerRestartsWithMalformedCertificate_LoopContinuesAndRecoversWhenFixed()
    {
        await using var proxy = new UaRewritingProxy(_server.Port);
        UaEndpointUrl.TryParse(proxy.EndpointUrl, out UaEndpointUrl? endpoint, out _);

        // A password over None: the only case where a None endpoint's certificate is used (to encrypt the password).
        var validator = new UaCertificateValidator(new UaCertificateStore(_pki), new UaCertificateValidationOptions(TrustOnFirstUse: true, CheckHostName: false), TimeProvider.System);
        var options = new UaClientOptions
        {
            Endpoint = endpoint!,
            UserName = "technician",
            Password = "s3cret",
            AllowInsecurePassword = true,
            ServerCertificateValidator = e => validator.Validate(e, "127.0.0.1"),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(500),
        };
        await using var client = new UaClient(options, TimeProvider.System, _logs.CreateLogger("test"));
        await client.ConnectAsync(TestTimeouts.Token());
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Reconnected += () => reconnected.TrySetResult();

        // The server restarts (its sessions are gone) and now offers a certificate that is no certificate.
        proxy.RewriteFromServer = UaResponseRewrites.GetEndpoints(UaResponseRewrites.MalformedCertificates);
        await _server.KillAsync();
        await _server.RestartAsync();

        // Attempt after attempt fails as an ordinary refused certificate; the loop keeps going.
        using (var timeout = new CancellationTokenSource(TestTimeouts.Passing))
        {
            while (_logs.Entries.Count(e => e.EventId == 4014 && e.Message.Contains("BadCertificateInvalid", StringComparison.Ordinal)) < 3)
            {
                await Task.Delay(20, timeout.Token); // polling the recorded log, not synchronising on time
            }
        }

        Assert.Equal(UaClientState.Reconnecting, client.State);
        Assert.DoesNotContain(_logs.Entries, e => e.EventId == 4013);
        Assert.False(reconnected.Task.IsCompleted);

        // Fixed: the next attempt creates a new session.
        proxy.RewriteFromServer = null;
        await reconnected.Task.WaitAsync(TestTimeouts.Passing);
        Assert.Contains(_logs.Entries, e => e.EventId == 4012 && e.Message.Contains("recreated", StringComparison.Ordinal));
        UaDataValue[] values = await client.ReadAsync([new UaReadValueId(UaNodeId.FromString(1, "Scalars.Double"))], TestTimeouts.Token());
        Assert.Equal(3.14159, values[0].Value.Value);
    }
}
