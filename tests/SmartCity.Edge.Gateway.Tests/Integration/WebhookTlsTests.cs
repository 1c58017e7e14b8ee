using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SmartCity.Edge.Gateway.Tests.Cli;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// Alarm webhooks over real TLS to a real HTTPS receiver (tests/peers/https/receiver.py: Python http.server + ssl)
/// whose certificate a private CA signed, with the real gateway binary: ca_file, mutual TLS, the log when the
/// receiver is not trusted, a reload that fixes it, and the config problems of bad PEM files.
/// </summary>
public sealed class WebhookTlsTests : IDisposable
{
    private const string Secret = "desk-secret-0123456789";
    private const string AlarmsLinePrefix = "smartcity/lab/alarm-gw/alarms {";
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-webhooktls-").FullName;
    private readonly TestCertificates _certificates;

    public WebhookTlsTests()
    {
        _certificates = TestCertificates.Create(_directory);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task WebhookWithCaFile_PrivateCaReceiver_TransitionsDeliveredInOrderWithValidSignatures()
    {
        await using PeerProcess receiver = await StartReceiverAsync(requireClientCertificate: false);
        string config = TestConfigs.Write(_directory, Config($"""
            webhooks:
              - url: https://127.0.0.1:{receiver.Port}/alarms
                secret: {Secret}
                ca_file: {_certificates.CaFile}
            """));
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);

        List<JsonElement> posts = await CollectAsync(receiver, "/alarms", 6);

        // Exactly the transitions the gateway published, in its order, from the first one.
        long[] seqs = posts.Select(p => p.GetProperty("seq").GetInt64()).ToArray();
        Assert.Equal(await PublishedAlarmSeqsAsync(gateway, seqs.Length), seqs);
        Assert.DoesNotContain("not trusted", gateway.Log, StringComparison.Ordinal);
        Assert.False(gateway.HasExited, gateway.Log);
    }

    [Fact]
    public async Task WebhookWithoutCaFile_UntrustedOnceInLog_ReloadAddingCaFile_EveryTransitionArrives()
    {
        await using PeerProcess receiver = await StartReceiverAsync(requireClientCertificate: false);
        string url = $"https://127.0.0.1:{receiver.Port}/alarms";
        string config = TestConfigs.Write(_directory, Config($"""
            webhooks:
              - url: {url}
                secret: {Secret}
                max_retry_interval: 250ms
            """));
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);

        // The system store does not know the desk's CA (a leaf-only chain ends in PartialChain): the log says so once, with what to set, while retries go on.
        await gateway.WaitForLogAsync("the receiver's certificate is not trusted", TestTimeouts.Short);
        Assert.Contains($"Webhook {url}: delivery failed (the receiver's certificate is not trusted (RemoteCertificateChainErrors: ", gateway.Log, StringComparison.Ordinal);
        Assert.Contains("set webhooks[0].ca_file to the PEM file of the receiver's CA", gateway.Log, StringComparison.Ordinal);
        Assert.True(Regex.IsMatch(gateway.Log, "RemoteCertificateChainErrors: [^)]*(PartialChain|UntrustedRoot)"), gateway.Log);
        await gateway.WaitForLogCountAsync("Alarm count-high ", 8, TestTimeouts.Short); // several retries at 250 ms meanwhile
        Assert.Equal(1, Regex.Count(gateway.Log, "not trusted"));
        Assert.False(receiver.Lines.Count > 0, "nothing can arrive over an untrusted connection");

        TestConfigs.Write(_directory, Config($"""
            webhooks:
              - url: {url}
                secret: {Secret}
                max_retry_interval: 250ms
                ca_file: {_certificates.CaFile}
            """));
        await gateway.SighupAsync();

        // Everything queued during the outage arrives, from the first transition, none missing and in order.
        int queued = PublishedAlarmSeqs(gateway).Length;
        Assert.True(queued >= 8, $"only {queued} transitions published");
        List<JsonElement> posts = await CollectAsync(receiver, "/alarms", queued + 2);
        long[] seqs = posts.Select(p => p.GetProperty("seq").GetInt64()).ToArray();
        Assert.Equal(await PublishedAlarmSeqsAsync(gateway, seqs.Length), seqs);
        Assert.Equal(1, Regex.Count(gateway.Log, "not trusted"));
        Assert.False(gateway.HasExited, gateway.Log);
    }

    [Fact]
    public async Task ReceiverRequiringClientCertificate_DeliveredWithClientCert_RefusedWithout()
    {
        await using PeerProcess receiver = await StartReceiverAsync(requireClientCertificate: true);
        string config = TestConfigs.Write(_directory, Config($"""
            webhooks:
              - url: https://127.0.0.1:{receiver.Port}/with-cert
                secret: {Secret}
                ca_file: {_certificates.CaFile}
                client_cert: {_certificates.ClientCertFile}
                client_key: {_certificates.ClientKeyFile}
              - url: https://localhost:{receiver.Port}/without-cert
                secret: {Secret}
                ca_file: {_certificates.CaFile}
            """));
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);

        await CollectAsync(receiver, "/with-cert", 4);
        await gateway.WaitForLogAsync($"Webhook https://localhost:{receiver.Port}/without-cert: delivery failed", TestTimeouts.Short);
        Assert.DoesNotContain(receiver.Lines, l => l.Contains("/without-cert", StringComparison.Ordinal));
        Assert.False(gateway.HasExited, gateway.Log);
    }

    [Fact]
    public async Task Validate_MissingAndGarbagePemFiles_ProblemsAtTheirKeys_KeyNeverPrinted()
    {
        string garbage = Path.Combine(_directory, "garbage.pem");
        await File.WriteAllTextAsync(garbage, "this is not PEM\n");
        string secretKey = Path.Combine(_directory, "broken-key.pem");
        await File.WriteAllTextAsync(secretKey, "-----BEGIN PRIVATE KEY-----\nS3CR3TKEYMATERIAL\n-----END PRIVATE KEY-----\n");
        string missing = Path.Combine(_directory, "missing.pem");
        string config = TestConfigs.Write(_directory, Config($"""
            webhooks:
              - url: https://127.0.0.1:9/a
                secret: {Secret}
                ca_file: {missing}
              - url: https://127.0.0.1:9/b
                secret: {Secret}
                ca_file: {garbage}
              - url: https://127.0.0.1:9/c
                secret: {Secret}
                client_cert: {_certificates.ClientCertFile}
                client_key: {secretKey}
              - url: https://127.0.0.1:9/d
                secret: {Secret}
                client_cert: {_certificates.ClientCertFile}
              - url: http://127.0.0.1:9/e
                secret: {Secret}
                ca_file: {_certificates.CaFile}
            """));

        (int exitCode, _, string stderr) = await GatewayProcess.RunToEndAsync("validate", "--config", config);

        Assert.Equal(1, exitCode);
        Assert.Matches($@"gateway\.yaml:\d+:\d+ webhooks\[0\]\.ca_file: file '{Regex.Escape(missing)}' does not exist", stderr);
        Assert.Matches($@"gateway\.yaml:\d+:\d+ webhooks\[1\]\.ca_file: file '{Regex.Escape(garbage)}' holds no PEM certificate", stderr);
        Assert.Matches(@"gateway\.yaml:\d+:\d+ webhooks\[2\]\.client_cert: cannot use client_cert '[^']+' with client_key '[^']+'", stderr);
        Assert.Matches(@"gateway\.yaml:\d+:\d+ webhooks\[3\]\.client_cert: client_cert and client_key go together", stderr);
        Assert.Matches(@"gateway\.yaml:\d+:\d+ webhooks\[4\]\.ca_file: is only used with an https:// url", stderr);
        Assert.DoesNotContain("S3CR3TKEYMATERIAL", stderr, StringComparison.Ordinal);
    }

    private async Task<PeerProcess> StartReceiverAsync(bool requireClientCertificate)
    {
        string script = Path.Combine(PeerProcess.PeersDirectory, "https", "receiver.py");
        string[] arguments = requireClientCertificate
            ? [script, "0", _certificates.ServerCertFile, _certificates.ServerKeyFile, _certificates.ClientCaFile]
            : [script, "0", _certificates.ServerCertFile, _certificates.ServerKeyFile];
        return await PeerProcess.StartAsync("/usr/bin/python3", arguments);
    }

    /// <summary>Waits for <paramref name="count"/> POSTs to <paramref name="path"/>, checks each signature and returns the alarm bodies.</summary>
    private static async Task<List<JsonElement>> CollectAsync(PeerProcess receiver, string path, int count)
    {
        await receiver.WaitForLineAsync(_ => receiver.Lines.Count(l => l.Contains($"\"{path}\"", StringComparison.Ordinal)) >= count, TestTimeouts.Long);
        var bodies = new List<JsonElement>();
        foreach (string line in receiver.Lines)
        {
            JsonElement post = JsonDocument.Parse(line).RootElement;
            if (post.GetProperty("path").GetString() != path)
            {
                continue;
            }

            byte[] body = Convert.FromBase64String(post.GetProperty("body").GetString()!);
            string expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), body));
            Assert.Equal(expected, post.GetProperty("signature").GetString());
            bodies.Add(JsonDocument.Parse(body).RootElement);
        }

        return bodies;
    }

    /// <summary>The seq of every alarm transition the gateway published on its console upstream, in order.</summary>
    /// <summary>
    /// The first <paramref name="count"/> alarm transitions the console publisher printed. The webhook and the upstream
    /// publish each committed transition independently, so the console may print one a moment after its webhook
    /// arrived: wait for it rather than compare with what happens to be printed already.
    /// </summary>
    private static async Task<long[]> PublishedAlarmSeqsAsync(GatewayProcess gateway, int count)
    {
        await gateway.WaitForOutputCountAsync(AlarmsLinePrefix, count, TestTimeouts.Long);
        return PublishedAlarmSeqs(gateway).Take(count).ToArray();
    }

    private static long[] PublishedAlarmSeqs(GatewayProcess gateway) =>
        gateway.StandardOutput
            .Where(l => l.StartsWith(AlarmsLinePrefix, StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l[(AlarmsLinePrefix.Length - 1)..]).RootElement.GetProperty("seq").GetInt64())
            .ToArray();

    private string Config(string webhooks) =>
        AlarmConfigs.CounterAlarmPark("alarm-gw", $"{_directory}/data", webhooks, "  console: true");
}
