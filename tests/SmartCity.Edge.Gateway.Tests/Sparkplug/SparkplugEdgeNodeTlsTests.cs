using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Tests.Integration;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Session;
using static SmartCity.Edge.Gateway.Tests.Sparkplug.SparkplugRig;

namespace SmartCity.Edge.Gateway.Tests.Sparkplug;

/// <summary><c>mqtts://</c> servers: the broker is trusted only through <c>ca_file</c>, and a client certificate is presented to a broker that requires one.</summary>
public sealed class SparkplugEdgeNodeTlsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("spb-tls-").FullName;

    [Fact]
    public async Task EdgeNode_MutualTls_BirthsWithTheConfiguredCaAndClientCertificate()
    {
        TestCertificates certificates = TestCertificates.Create(_directory);
        await using SparkplugRig rig = await StartBrokersAsync(start: () => MosquittoBroker.StartWithTlsAsync(certificates, requireClientCertificate: true));
        rig.StartNode(rig.Configuration(tls: Tls(certificates, certificates.CaFile, withClientCertificate: true)));
        JsonElement nbirth = await rig.Host.WaitForMessageAsync("NBIRTH");
        Assert.Equal("0", Metric(nbirth, "bdSeq").GetProperty("value").GetString());
    }

    [Fact]
    public async Task EdgeNode_BrokerCertificateFromAnotherCa_RefusedWithoutUsingABdSeq()
    {
        TestCertificates certificates = TestCertificates.Create(_directory);
        await using SparkplugRig rig = await StartBrokersAsync(start: () => MosquittoBroker.StartWithTlsAsync(certificates, requireClientCertificate: true));
        // Trusting the client CA only: the broker's certificate does not chain to it.
        rig.StartNode(rig.Configuration(tls: Tls(certificates, certificates.ClientCaFile, withClientCertificate: true)));
        Buffer.LogEntry refused = await rig.WaitForLogAsync(1801);
        Assert.Contains("TLS handshake", refused.Message, StringComparison.Ordinal);
        await rig.StopNodeAsync();
        Assert.False(File.Exists(Path.Combine(rig.Data.Path, SparkplugBdSeqStore.FileName)), "a bdSeq was used up by a connect that never reached the broker");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static TlsFiles Tls(TestCertificates certificates, string caFile, bool withClientCertificate)
    {
        X509Certificate2Collection roots = [];
        roots.ImportFromPemFile(caFile);
        X509Certificate2? client = withClientCertificate ? X509Certificate2.CreateFromPemFile(certificates.ClientCertFile, certificates.ClientKeyFile) : null;
        return new TlsFiles(caFile, withClientCertificate ? certificates.ClientCertFile : null, withClientCertificate ? certificates.ClientKeyFile : null, roots, client);
    }
}
