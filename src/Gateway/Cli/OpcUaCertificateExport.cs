using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SmartCity.Edge.Drivers.OpcUa;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>
/// <c>smartcity-edge opcua certs --export DIR</c>: writes the gateway's OPC UA application certificate (public part
/// only) as DER and PEM, with a note of where PLC and server tools take a client certificate, so a technician can make
/// a server trust the gateway before — or after — its first secured connection was refused.
/// </summary>
internal static class OpcUaCertificateExport
{
    public const string Usage =
        "opcua certs --export DIR [--config FILE | --data-dir DIR | --pki DIR]\n" +
        "    write our application certificate to DIR as smartcity-edge.der and .pem (public part only) with a note of\n" +
        "    where PLC tools (TIA Portal, TwinCAT, Kepware, Prosys, UA SDK servers) expect it; with --config, create it\n" +
        "    first if the gateway has none yet (run as the service user)";

    private const string FileStem = "smartcity-edge";

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        string? target = ConfigArguments.Option(args, "--export");
        if (target is null || target.StartsWith("--", StringComparison.Ordinal))
        {
            error.WriteLine("usage: smartcity-edge " + Usage.Split('\n')[0]);
            return 2;
        }

        string? pki = ConfigArguments.Option(args, "--pki") ?? (ConfigArguments.Option(args, "--data-dir") is { } dataDirectory ? Path.Combine(dataDirectory, "pki") : null);
        GatewayConfiguration? configuration = null;
        if (pki is null)
        {
            ConfigurationLoadResult loaded = ConfigArguments.Load(args);
            if (loaded.Configuration is null)
            {
                ConfigArguments.PrintProblems(loaded.Problems, error);
                return 2;
            }

            configuration = loaded.Configuration;
            pki = Path.Combine(configuration.Gateway.DataDirectory, "pki");
        }

        var store = new UaCertificateStore(pki);
        if (!File.Exists(store.OwnCertificatePath) && !TryCreate(store, configuration, output, error))
        {
            return 1;
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificateFromFile(store.OwnCertificatePath);
        }
        catch (CryptographicException ex)
        {
            error.WriteLine($"opcua certs: {store.OwnCertificatePath} is not a certificate: {ex.Message}");
            return 1;
        }

        using (certificate)
        {
            Directory.CreateDirectory(target);
            string der = Path.Combine(target, FileStem + ".der");
            string pem = Path.Combine(target, FileStem + ".pem");
            string note = Path.Combine(target, "README.txt");
            File.WriteAllBytes(der, certificate.RawData);
            File.WriteAllText(pem, certificate.ExportCertificatePem() + "\n");
            string summary = Summary(certificate);
            File.WriteAllText(note, summary + "\n" + WhereToPutIt);
            output.WriteLine($"exported {store.OwnCertificatePath}:");
            output.WriteLine($"  {der}  (DER: TIA Portal, Kepware, TwinCAT, most Windows tools; rename to .cer if a file dialog asks for it)");
            output.WriteLine($"  {pem}  (PEM: Linux servers, node-opcua, open62541)");
            output.WriteLine($"  {note}  (where each tool expects it)");
            output.Write(summary);
            output.WriteLine("The private key stays in the gateway's PKI folder; only the public certificate was written.");
        }

        return 0;
    }

    /// <summary>
    /// Creates the certificate a secured device would create on its first connection — same ApplicationUri, name and
    /// validity — when the configuration has such a device; otherwise says how it comes to exist.
    /// </summary>
    private static bool TryCreate(UaCertificateStore store, GatewayConfiguration? configuration, TextWriter output, TextWriter error)
    {
        OpcUaSettings? secured = configuration?.Devices.Select(d => d.Settings).OfType<OpcUaSettings>().FirstOrDefault(s => !s.Security.IsNone);
        if (secured is null)
        {
            error.WriteLine(
                $"opcua certs: there is no application certificate in {store.Root} yet. It is created by the first secured OPC UA " +
                "connection (smartcity-edge test or run with a device whose security.policy is not None), or by this command " +
                "with --config FILE naming such a device.");
            return false;
        }

        try
        {
            UaApplicationCertificate created = store.LoadOrCreateOwn(secured.Security.ApplicationUri, "SmartCity.Edge", secured.Security.CertificateValidity, TimeProvider.System);
            created.PrivateKey.Dispose();
            output.WriteLine($"created the gateway's application certificate {store.OwnCertificatePath} (ApplicationUri {created.ApplicationUri}); " +
                "run this as the service user (sudo -u smartcity-edge …) so the service can read its key");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            error.WriteLine($"opcua certs: cannot create the application certificate in {store.Root}: {ex.Message}");
            return false;
        }
    }

    private static string Summary(X509Certificate2 certificate)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"  subject      {certificate.Subject}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  uri          {UaCertificateInfo.ApplicationUriOf(certificate) ?? "-"}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  valid        {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd} .. {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd} (UTC)");
        text.AppendLine(CultureInfo.InvariantCulture, $"  SHA-1        {certificate.Thumbprint}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  SHA-256      {certificate.GetCertHashString(HashAlgorithmName.SHA256)}");
        return text.ToString();
    }

    /// <summary>The note written beside the files: where common servers take a client certificate (docs/opcua.md has the walk-through).</summary>
    private const string WhereToPutIt = """

        Making an OPC UA server trust this gateway
        ==========================================
        Compare the thumbprint the server shows with the SHA-1 / SHA-256 above before you trust anything.
        Most servers also save a refused client's certificate in a "rejected" list on the first secured
        connection attempt: trusting it there is the same as importing this file. Menu names differ between
        versions; the manuals of the tools are the reference.

        Siemens S7-1500 (TIA Portal): in the CPU's properties, OPC UA > Server > Security, add the certificate to
        the trusted clients (import smartcity-edge.der through the certificate manager of the global security
        settings), then download the configuration to the PLC. Alternatively allow the CPU to accept client
        certificates automatically during runtime for the first connection, and switch that off again.

        Beckhoff TwinCAT OPC UA Server (TF6100): client certificates live in the server's PKI folder below the
        TwinCAT installation (...\Functions\TF6100-OPC-UA\...). A refused client is written to its rejected
        folder: move it to trusted\certs, or copy smartcity-edge.der there; or use the TF6100 configurator.

        Kepware (KEPServerEX / Kepware Server): OPC UA Configuration Manager, Trusted Clients tab: Import
        smartcity-edge.der, or select the refused client there and Trust it.

        Prosys OPC UA Simulation Server: Certificates view: the refused client is listed as rejected; trust it.
        Its PKI folder (PKI/CA/rejected, PKI/CA/certs below the server's settings directory) takes the .der too.

        Unified Automation UA SDK servers (C++/.NET demo servers; UaExpert is a client and tests the server side
        only): copy smartcity-edge.der into the server's pkiserver/trusted/certs folder (or move it there from
        pkiserver/rejected), then restart or reload the server.

        node-opcua, open62541, OPC Foundation UA-.NETStandard servers: their PKI folder's trusted/certs
        (PEM or DER), the same layout as the gateway's own pki folder.
        """;
}
