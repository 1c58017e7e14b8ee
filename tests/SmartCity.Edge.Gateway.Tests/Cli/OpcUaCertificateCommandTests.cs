using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SmartCity.Edge.Drivers.OpcUa;
using SmartCity.Edge.Gateway.Cli;

namespace SmartCity.Edge.Gateway.Tests.Cli;

/// <summary><c>smartcity-edge opcua certs</c> and <c>opcua trust</c> on a real PKI folder.</summary>
public sealed class OpcUaCertificateCommandTests : IDisposable
{
    private readonly string _pki = Path.Combine(Path.GetTempPath(), "smartcity-edge-cli-pki-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_pki, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    [Fact]
    public void Trust_RejectedThumbprint_MovedToTrustedAndListed()
    {
        var store = new UaCertificateStore(_pki);
        store.LoadOrCreateOwn("urn:smartcity-edge:cli-test", "SmartCity.Edge", TimeSpan.FromDays(1), TimeProvider.System);
        using var key = RSA.Create(2048);
        using X509Certificate2 server = new CertificateRequest("CN=Park PLC", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        store.Reject(server);

        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(0, OpcUaCommand.RunCertificateCommand(["certs", "--pki", _pki], output, error));
        Assert.Contains("rejected (", output.ToString(), StringComparison.Ordinal);
        Assert.Contains(server.Thumbprint + "  CN=Park PLC", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("uri=urn:smartcity-edge:cli-test", output.ToString(), StringComparison.Ordinal);

        Assert.Equal(0, OpcUaCommand.RunCertificateCommand(["trust", server.Thumbprint, "--pki", _pki], output, error));
        Assert.True(store.IsTrusted(server));
        Assert.Empty(store.List(store.RejectedDirectory));

        Assert.Equal(1, OpcUaCommand.RunCertificateCommand(["trust", "DEADBEEF00", "--pki", _pki], output, error));
        Assert.Contains("no rejected certificate with thumbprint DEADBEEF00", error.ToString(), StringComparison.Ordinal);
    }
}
