using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>
/// Our application certificate is renewed before it expires — 30 days before, or a fifth of its lifetime for short
/// ones — with a warning that servers must trust the new one, and its days left are reported as a gauge. The
/// driver test runs against the real node-opcua server (which accepts unknown clients), so the renewed certificate is
/// shown to work on the wire.
/// </summary>
[Collection(OpcUaServerCollection.Name)]
public sealed class OpcUaOwnCertificateRenewalTests : IDisposable
{
    private readonly OpcUaServerFixture _fixture;
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("smartcity-edge-renewal-").FullName;

    public OpcUaOwnCertificateRenewalTests(OpcUaServerFixture fixture) => _fixture = fixture;

    private string Pki => Path.Combine(_dataDirectory, "pki");

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    [Fact]
    public void LoadOrCreateOwn_ThroughItsLifetime_LoadedThenRenewedInWindowThenReplacedWhenExpired()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new UaCertificateStore(Pki);
        UaApplicationCertificate created = store.LoadOrCreateOwn(OpcUaSecureClients.ApplicationUri, "SmartCity.Edge", TimeSpan.FromDays(365), clock);
        Assert.Equal(UaOwnCertificateOrigin.Created, created.Origin);

        // A year's certificate: renewed 30 days before it expires, not a second earlier.
        clock.SetUtcNow(created.NotAfter - TimeSpan.FromDays(30) - TimeSpan.FromSeconds(1));
        UaApplicationCertificate before = store.LoadOrCreateOwn(OpcUaSecureClients.ApplicationUri, "SmartCity.Edge", TimeSpan.FromDays(365), clock);
        Assert.Equal(UaOwnCertificateOrigin.Loaded, before.Origin);
        Assert.Equal(created.Certificate, before.Certificate);
        Assert.Equal(created.NotAfter - TimeSpan.FromDays(30), before.RenewAt);

        clock.Advance(TimeSpan.FromSeconds(2));
        UaApplicationCertificate renewed = store.LoadOrCreateOwn(OpcUaSecureClients.ApplicationUri, "SmartCity.Edge", TimeSpan.FromDays(365), clock);
        Assert.Equal(UaOwnCertificateOrigin.Renewed, renewed.Origin);
        Assert.Equal(created.NotAfter, renewed.PreviousNotAfter);
        Assert.NotEqual(created.Certificate, renewed.Certificate);
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromDays(365), renewed.NotAfter);
        Assert.Equal(renewed.Certificate, File.ReadAllBytes(store.OwnCertificatePath));
        using (X509Certificate2 file = X509CertificateLoader.LoadCertificateFromFile(store.OwnCertificatePath))
        {
            Assert.Equal(OpcUaSecureClients.ApplicationUri, UaCertificateInfo.ApplicationUriOf(file));
            Assert.Equal(file.GetRSAPublicKey()!.ExportSubjectPublicKeyInfo(), renewed.PrivateKey.ExportSubjectPublicKeyInfo());
        }

        // A ten-day certificate is renewed two days (a fifth of its lifetime) before it expires, not at every start.
        var shortLived = new UaCertificateStore(Path.Combine(_dataDirectory, "short"));
        UaApplicationCertificate tenDays = shortLived.LoadOrCreateOwn(OpcUaSecureClients.ApplicationUri, "SmartCity.Edge", TimeSpan.FromDays(10), clock);
        Assert.Equal(UaOwnCertificateOrigin.Loaded, shortLived.LoadOrCreateOwn(OpcUaSecureClients.ApplicationUri, "SmartCity.Edge", TimeSpan.FromDays(10), clock).Origin);
        Assert.InRange(tenDays.NotAfter - tenDays.RenewAt, TimeSpan.FromDays(2), TimeSpan.FromDays(2.01));

        // Found expired (the gateway was off): replaced.
        clock.Advance(TimeSpan.FromDays(400));
        Assert.Equal(UaOwnCertificateOrigin.ReplacedExpired, store.LoadOrCreateOwn(OpcUaSecureClients.ApplicationUri, "SmartCity.Edge", TimeSpan.FromDays(365), clock).Origin);
    }

    [Fact]
    public async Task LoadOrCreateOwn_ManyDevicesAtOnceInRenewalWindow_OneNewCertificateMatchingItsKey()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        new UaCertificateStore(Pki).LoadOrCreateOwn(OpcUaSecureClients.ApplicationUri, "SmartCity.Edge", TimeSpan.FromDays(365), clock);
        clock.Advance(TimeSpan.FromDays(360));

        // Five devices of one gateway start together and all find the certificate due: the lock makes one renew it.
        UaApplicationCertificate[] loaded = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() =>
            new UaCertificateStore(Pki).LoadOrCreateOwn(OpcUaSecureClients.ApplicationUri, "SmartCity.Edge", TimeSpan.FromDays(365), clock))));

        Assert.Single(loaded, c => c.Origin == UaOwnCertificateOrigin.Renewed);
        Assert.All(loaded, c => Assert.Equal(loaded[0].Certificate, c.Certificate));
        UaApplicationCertificate again = new UaCertificateStore(Pki).LoadOrCreateOwn(OpcUaSecureClients.ApplicationUri, "SmartCity.Edge", TimeSpan.FromDays(365), clock);
        Assert.Equal(UaOwnCertificateOrigin.Loaded, again.Origin);
        Assert.Equal(loaded[0].Certificate, again.Certificate);
    }

    [Fact]
    public async Task Driver_CertificateEntersRenewalWindowWhileConnected_ReconnectsWithRenewedCertificateAndReportsDaysLeft()
    {
        // Our certificate as an earlier start left it: valid 200 s more, its renewal window (a fifth of its 940 s) opening
        // in 12 s. Created through the store on a clock set back, so it is exactly what the gateway makes.
        var past = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromSeconds(140));
        UaApplicationCertificate old = new UaCertificateStore(Pki).LoadOrCreateOwn(OpcUaSecureClients.ApplicationUri, "SmartCity.Edge", TimeSpan.FromSeconds(340), past);
        var logs = new RecordingLoggerFactory();
        var gauges = new Gauges();
        string yaml = $$"""
            id: plc
            endpoint: {{_fixture.Server.EndpointUrl}}
            security: { policy: Basic256Sha256, mode: SignAndEncrypt, check_hostname: false, trust_on_first_use: true, application_uri: "{{OpcUaSecureClients.ApplicationUri}}", certificate_validity_days: 10 }
            tags:
              - { id: temp, node: "ns=1;s=Scalars.Double", mode: poll }
            """;

        DeviceException due;
        await using (OpcUaDriver first = OpcUaDriverHarness.Create(yaml, _dataDirectory, loggerFactory: logs, gauges: gauges))
        {
            await first.ConnectAsync(new CollectingSink(first.Device.Tags), TestTimeouts.Token());
            Assert.Equal(old.Certificate, first.Client!.Session!.Channel.Policy.SenderCertificate);
            Assert.InRange(gauges.Read("plc", "opcua_certificate_days_left"), 0, 200.0 / 86400);

            // The supervisor polls; once the window opens the poll says the connection must be renewed.
            using var timeout = new CancellationTokenSource(TestTimeouts.Passing);
            while (true)
            {
                try
                {
                    await first.PollAsync(TestTimeouts.Token());
                }
                catch (DeviceException ex)
                {
                    due = ex;
                    break;
                }

                await Task.Delay(100, timeout.Token); // the supervisor's poll interval, not a synchronisation
            }
        }

        Assert.Equal("certificate", due.Kind);
        Assert.Contains("due for renewal", due.Message, StringComparison.Ordinal);

        // The supervisor's next driver renews it, says so, and connects with the new certificate.
        await using OpcUaDriver second = OpcUaDriverHarness.Create(yaml, _dataDirectory, loggerFactory: logs, gauges: gauges);
        var sink = new CollectingSink(second.Device.Tags);
        await second.ConnectAsync(sink, TestTimeouts.Token());
        byte[] renewed = File.ReadAllBytes(new UaCertificateStore(Pki).OwnCertificatePath);
        Assert.NotEqual(old.Certificate, renewed);
        Assert.Equal(renewed, second.Client!.Session!.Channel.Policy.SenderCertificate);
        await second.PollAsync(TestTimeouts.Token());
        Assert.Equal(Quality.Good, (await sink.WaitForAsync(r => r.TagId == "temp")).Quality);
        Assert.InRange(gauges.Read("plc", "opcua_certificate_days_left"), 9.99, 10.0);
        (LogLevel level, _, string message) = Assert.Single(logs.Entries, e => e.EventId == 4043);
        Assert.Equal(LogLevel.Warning, level);
        Assert.Contains("must trust the new certificate on every OPC UA server", message, StringComparison.Ordinal);
        Assert.Contains(UaCertificateFingerprint.Of(renewed), message, StringComparison.Ordinal);
    }

    private sealed class Gauges : IDeviceGaugeSink
    {
        private readonly ConcurrentDictionary<(string, string), Func<double>> _gauges = new();

        public double Read(string deviceId, string name) => _gauges[(deviceId, name)]();

        public void SetGauge(string deviceId, string name, string help, Func<double> read) => _gauges[(deviceId, name)] = read;
    }
}
