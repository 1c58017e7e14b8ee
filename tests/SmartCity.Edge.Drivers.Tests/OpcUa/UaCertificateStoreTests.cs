using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>
/// The PKI folder on disk: trust by the SHA-256 of the whole certificate (never by file name), what older versions
/// left there (SHA-1 names and thumbprints), and the bound on pki/rejected that whoever answers our connects fills.
/// </summary>
public sealed class UaCertificateStoreTests : IDisposable
{
    private readonly string _pki = Directory.CreateTempSubdirectory("smartcity-edge-store-").FullName;
    private readonly RSA _key = RSA.Create(2048);

    public void Dispose()
    {
        _key.Dispose();
        Directory.Delete(_pki, recursive: true);
    }

    [Fact]
    public void IsTrusted_ComparesSha256OfWholeCertificate_NeverTheFileName()
    {
        var store = new UaCertificateStore(_pki);
        using X509Certificate2 plc = Certificate("CN=PLC1");
        using X509Certificate2 twin = Certificate("CN=PLC1"); // same name and key, another serial: another certificate
        Directory.CreateDirectory(store.TrustedDirectory);

        // A file named after the trusted certificate's thumbprints but holding another certificate trusts nothing.
        File.WriteAllBytes(Path.Combine(store.TrustedDirectory, $"PLC1 [{UaCertificateFingerprint.Of(plc)}].der"), twin.RawData);
        Assert.False(store.IsTrusted(plc));
        Assert.True(store.IsTrusted(twin));

        string added = store.AddTrusted(plc);
        Assert.True(store.IsTrusted(plc));
        Assert.EndsWith($"[{Convert.ToHexString(SHA256.HashData(plc.RawData))}].der", added, StringComparison.Ordinal);
        Assert.Equal(UaCertificateFingerprint.Length, Assert.Single(store.List(store.TrustedDirectory), c => c.Path == added).Thumbprint.Length);
    }

    [Fact]
    public void OlderVersionsFiles_Sha1NamesStillTrustedAndRenamedToSha256()
    {
        var store = new UaCertificateStore(_pki);
        using X509Certificate2 trusted = Certificate("CN=Old trusted");
        using X509Certificate2 rejected = Certificate("CN=Old rejected");
        Directory.CreateDirectory(store.TrustedDirectory);
        Directory.CreateDirectory(store.RejectedDirectory);
        string legacyTrusted = Path.Combine(store.TrustedDirectory, $"Old_trusted [{trusted.Thumbprint}].der");
        File.WriteAllBytes(legacyTrusted, trusted.RawData);
        File.WriteAllBytes(Path.Combine(store.RejectedDirectory, $"Old_rejected [{rejected.Thumbprint}].der"), rejected.RawData);

        Assert.True(store.IsTrusted(trusted));
        store.UpgradeLegacyFileNames();

        Assert.False(File.Exists(legacyTrusted));
        Assert.True(File.Exists(Path.Combine(store.TrustedDirectory, $"Old_trusted [{UaCertificateFingerprint.Of(trusted)}].der")));
        Assert.True(File.Exists(Path.Combine(store.RejectedDirectory, $"Old_rejected [{UaCertificateFingerprint.Of(rejected)}].der")));
        Assert.True(store.IsTrusted(trusted));
    }

    [Fact]
    public void Trust_Sha256PrefixOrLegacySha1Thumbprint_MovesToTrusted()
    {
        var store = new UaCertificateStore(_pki);
        using X509Certificate2 first = Certificate("CN=First");
        using X509Certificate2 second = Certificate("CN=Second");
        store.Reject(first);
        store.Reject(second);

        // A SHA-1 thumbprint from an old log line or note still works, and says what it matched.
        Assert.NotNull(store.Trust(first.Thumbprint, out string? error, out StoredCertificate? matched));
        Assert.Null(error);
        Assert.Equal(UaCertificateFingerprint.Of(first), matched!.Thumbprint);
        Assert.True(store.IsTrusted(first));

        Assert.NotNull(store.Trust(UaCertificateFingerprint.Of(second)[..10].ToLowerInvariant(), out _));
        Assert.True(store.IsTrusted(second));
        Assert.Empty(store.List(store.RejectedDirectory));

        Assert.Null(store.Trust("ABCD", out error));
        Assert.Contains("at least 8 hex digits of the SHA-256 fingerprint", error, StringComparison.Ordinal);
        Assert.Null(store.Trust("not-hex-at-all", out error));
        Assert.Null(store.Trust("00000000", out error));
        Assert.Contains("no rejected certificate", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Reject_BeyondCap_OldestRemovedSameCertificateKeepsItsPlace()
    {
        var store = new UaCertificateStore(_pki);
        Directory.CreateDirectory(store.RejectedDirectory);

        // A full folder as months of refusals leave it: 100 files, one a minute.
        var history = new List<(X509Certificate2 Certificate, string Path)>();
        DateTime start = DateTime.UtcNow - TimeSpan.FromDays(1);
        for (int i = 0; i < UaCertificateStore.MaxRejected; i++)
        {
            X509Certificate2 certificate = Certificate($"CN=Attempt {i}");
            string path = store.Reject(certificate);
            File.SetLastWriteTimeUtc(path, start + TimeSpan.FromMinutes(i));
            history.Add((certificate, path));
        }

        Assert.Equal(UaCertificateStore.MaxRejected, Directory.GetFiles(store.RejectedDirectory).Length);

        // The same certificate again is refreshed, nothing evicted; a new one evicts the oldest file.
        store.Reject(history[0].Certificate);
        Assert.Equal(UaCertificateStore.MaxRejected, Directory.GetFiles(store.RejectedDirectory).Length);
        using X509Certificate2 newcomer = Certificate("CN=Newcomer");
        string newest = store.Reject(newcomer);

        string[] files = Directory.GetFiles(store.RejectedDirectory);
        Assert.Equal(UaCertificateStore.MaxRejected, files.Length);
        Assert.Contains(newest, files);
        Assert.Contains(history[0].Path, files);
        Assert.DoesNotContain(history[1].Path, files);
        foreach ((X509Certificate2 certificate, _) in history)
        {
            certificate.Dispose();
        }
    }

    private X509Certificate2 Certificate(string subject)
    {
        var request = new CertificateRequest(subject, _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }
}
