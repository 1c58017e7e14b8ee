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
    public void Trust_RejectedSha256Fingerprint_MovedToTrustedAndListed()
    {
        var store = new UaCertificateStore(_pki);
        store.LoadOrCreateOwn("urn:smartcity-edge:cli-test", "SmartCity.Edge", TimeSpan.FromDays(1), TimeProvider.System);
        using X509Certificate2 server = ServerCertificate("CN=Park PLC");
        store.Reject(server);
        string fingerprint = Convert.ToHexString(SHA256.HashData(server.RawData));

        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(0, OpcUaCommand.RunCertificateCommand(["certs", "--pki", _pki], output, error));
        Assert.Contains("listed by their SHA-256 fingerprint", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("rejected (", output.ToString(), StringComparison.Ordinal);
        Assert.Contains(fingerprint + "  CN=Park PLC", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("uri=urn:smartcity-edge:cli-test", output.ToString(), StringComparison.Ordinal);

        output = new StringWriter();
        Assert.Equal(0, OpcUaCommand.RunCertificateCommand(["trust", fingerprint[..12], "--pki", _pki], output, error));
        Assert.True(store.IsTrusted(server));
        Assert.Empty(store.List(store.RejectedDirectory));
        Assert.Contains("SHA-256 " + fingerprint + "  CN=Park PLC", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("note:", output.ToString(), StringComparison.Ordinal);

        Assert.Equal(1, OpcUaCommand.RunCertificateCommand(["trust", "DEADBEEF00", "--pki", _pki], output, error));
        Assert.Contains("no rejected certificate with fingerprint DEADBEEF00", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Trust_OlderVersionsSha1Thumbprint_TrustedAndNewFormShown()
    {
        var store = new UaCertificateStore(_pki);
        using X509Certificate2 server = ServerCertificate("CN=Boiler PLC");
        Directory.CreateDirectory(store.RejectedDirectory);

        // As an older version left it: named after its SHA-1 thumbprint, which its log line printed.
        File.WriteAllBytes(Path.Combine(store.RejectedDirectory, $"Boiler_PLC [{server.Thumbprint}].der"), server.RawData);
        string fingerprint = Convert.ToHexString(SHA256.HashData(server.RawData));

        var output = new StringWriter();
        Assert.Equal(0, OpcUaCommand.RunCertificateCommand(["trust", server.Thumbprint, "--pki", _pki], output, new StringWriter()));

        Assert.Contains($"note: {server.Thumbprint} is the SHA-1 thumbprint an older version printed; certificates are identified by their SHA-256 fingerprint now: {fingerprint}", output.ToString(), StringComparison.Ordinal);
        Assert.True(store.IsTrusted(server));
        Assert.EndsWith($"[{fingerprint}].der", Assert.Single(store.List(store.TrustedDirectory)).Path, StringComparison.Ordinal);
    }

    private static X509Certificate2 ServerCertificate(string subject)
    {
        using var key = RSA.Create(2048);
        return new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }
}
