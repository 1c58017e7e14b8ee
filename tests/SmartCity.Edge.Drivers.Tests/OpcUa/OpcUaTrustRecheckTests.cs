using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>
/// Trust and validity of the server certificate are checked again before every OpenSecureChannel, not only when the
/// session was created: at each token renewal of a running channel, and for each new channel a surviving session is
/// reactivated on. Against the real node-opcua server, with short token lifetimes.
/// </summary>
[Collection(OpcUaServerCollection.Name)]
public sealed class OpcUaTrustRecheckTests : IDisposable
{
    private readonly OpcUaServerFixture _fixture;
    private readonly string _pki = Directory.CreateTempSubdirectory("smartcity-edge-recheck-pki-").FullName;
    private readonly RecordingLoggerFactory _logs = new();

    public OpcUaTrustRecheckTests(OpcUaServerFixture fixture) => _fixture = fixture;

    public void Dispose() => Directory.Delete(_pki, recursive: true);

    [Fact]
    public async Task TokenRenewal_TrustRemovedWhileConnected_ChannelEndsAndSessionReactivatedOnlyOnceTrustedAgain()
    {
        var store = new UaCertificateStore(_pki);
        UaClientOptions options = await OpcUaSecureClients.SecureOptionsAsync(_fixture.Server.EndpointUrl, store, "Basic256Sha256", UaMessageSecurityMode.SignAndEncrypt, trustServer: true);
        await using var client = new UaClient(options with { Channel = UaSecureChannelOptions.Default with { RequestedLifetime = TimeSpan.FromSeconds(2) } }, TimeProvider.System, _logs.CreateLogger("test"));
        await client.ConnectAsync(TestTimeouts.Token());
        UaSession session = client.Session!;
        UaSecureChannel channel = session.Channel;
        Task reconnected = ReconnectedAsync(client);
        using X509Certificate2 server = await OpcUaSecureClients.ServerCertificateAsync(_fixture.Server.EndpointUrl);

        // The technician withdraws trust; the channel renews its token at 75 % of 2 s and must refuse to.
        Assert.Equal(1, store.RemoveTrusted(server));
        await TestTimeouts.UntilCancelledAsync(channel.Closed, "the channel did not close");

        UaCertificateException fault = Assert.IsType<UaCertificateException>(channel.Fault);
        Assert.Equal("BadCertificateUntrusted", fault.StatusCode.Name);

        // Reconnect attempts open no channel while the certificate is untrusted (each one refused, loudly) ...
        await WaitForLogAsync(4014, "BadCertificateUntrusted");
        Assert.Equal(UaClientState.Reconnecting, client.State);
        StoredCertificate rejected = Assert.Single(store.List(store.RejectedDirectory));
        Assert.Equal(UaCertificateFingerprint.Of(server), rejected.Thumbprint);

        // ... and the next one after `opcua trust` reactivates the surviving session.
        Assert.NotNull(store.Trust(rejected.Thumbprint, out _));
        await reconnected.WaitAsync(TestTimeouts.Passing);
        Assert.Same(session, client.Session);
        Assert.Contains(_logs.Entries, e => e.EventId == 4012 && e.Message.Contains("reactivated", StringComparison.Ordinal));
        UaDataValue[] values = await client.ReadAsync([new UaReadValueId(UaNodeId.FromString(1, "Scalars.Double"))], TestTimeouts.Token());
        Assert.Equal(3.14159, values[0].Value.Value);
    }

    [Fact]
    public async Task TokenRenewal_ServerCertificateExpiredMeanwhile_ChannelEndsWithTimeInvalid()
    {
        // The certificate checks run on their own clock here, moved 30 years on while the channel is open.
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow);
        UaClientOptions options = await OpcUaSecureClients.SecureOptionsAsync(
            _fixture.Server.EndpointUrl, new UaCertificateStore(_pki), "Basic256Sha256", UaMessageSecurityMode.Sign, trustServer: true, validatorTime: later);
        await using var client = new UaClient(options with { Channel = UaSecureChannelOptions.Default with { RequestedLifetime = TimeSpan.FromSeconds(2) } }, TimeProvider.System, _logs.CreateLogger("test"));
        await client.ConnectAsync(TestTimeouts.Token());
        UaSecureChannel channel = client.Session!.Channel;

        later.Advance(TimeSpan.FromDays(365 * 30));
        await TestTimeouts.UntilCancelledAsync(channel.Closed, "the channel did not close");

        UaCertificateException fault = Assert.IsType<UaCertificateException>(channel.Fault);
        Assert.Equal("BadCertificateTimeInvalid", fault.StatusCode.Name);
        await WaitForLogAsync(4014, "BadCertificateTimeInvalid");
    }

    [Fact]
    public async Task Reconnect_TrustRemovedDuringOutage_SurvivingSessionWaitsForTrust()
    {
        // A channel lifetime of an hour: no renewal in this test, only the new channel of the reconnect.
        await using var proxy = new UaRewritingProxy(_fixture.Server.Port);
        var store = new UaCertificateStore(_pki);
        UaClientOptions options = (await OpcUaSecureClients.SecureOptionsAsync(_fixture.Server.EndpointUrl, store, "Aes256_Sha256_RsaPss", UaMessageSecurityMode.SignAndEncrypt, trustServer: true)).Via(proxy.EndpointUrl);
        await using var client = new UaClient(options, TimeProvider.System, _logs.CreateLogger("test"));
        await client.ConnectAsync(TestTimeouts.Token());
        UaSession session = client.Session!;
        Task reconnected = ReconnectedAsync(client);
        using X509Certificate2 server = await OpcUaSecureClients.ServerCertificateAsync(_fixture.Server.EndpointUrl);

        Assert.Equal(1, store.RemoveTrusted(server));
        proxy.DropConnections();

        await WaitForLogAsync(4014, "BadCertificateUntrusted");
        Assert.Equal(UaClientState.Reconnecting, client.State);
        Assert.Equal(0, client.ReconnectCount);
        Assert.NotNull(store.Trust(UaCertificateFingerprint.Of(server), out _));
        await reconnected.WaitAsync(TestTimeouts.Passing);
        Assert.Same(session, client.Session);
        Assert.Equal(1, client.ReconnectCount);
    }

    private static Task ReconnectedAsync(UaClient client)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Reconnected += () => done.TrySetResult();
        return done.Task;
    }

    private async Task WaitForLogAsync(int eventId, string text)
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Passing);
        while (!_logs.Entries.Any(e => e.EventId == eventId && e.Level >= LogLevel.Warning && e.Message.Contains(text, StringComparison.Ordinal)))
        {
            await Task.Delay(20, timeout.Token); // polling the recorded log, not synchronising on time
        }
    }
}
