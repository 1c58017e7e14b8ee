using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>
/// The TLS files a configuration uses (MQTT broker, Sparkplug servers, webhooks), described for a support ticket:
/// for each <c>ca_file</c> and <c>client_cert</c> the certificates' subject, issuer, validity (with days left, or
/// EXPIRED / not yet valid, the most common cause of a broker that suddenly refuses) and SHA-256 fingerprint.
/// </summary>
/// <remarks>
/// A <c>client_key</c> is named by its path only: the key never goes into a bundle. A webhook is named by its host and
/// port, not its URL, because a URL's query may carry a receiver's key.
/// </remarks>
internal static class TlsFileListing
{
    public static string Describe(GatewayConfiguration configuration, DateTimeOffset now)
    {
        var text = new StringBuilder();
        if (configuration.Upstream.Mqtt is { } mqtt)
        {
            Describe(text, $"upstream.mqtt ({(mqtt.UseTls ? "mqtts" : "mqtt")}://{mqtt.Host}:{mqtt.Port})", mqtt.UseTls, mqtt.Tls, now);
        }

        if (configuration.Upstream.Sparkplug is { } sparkplug)
        {
            Describe(text, "upstream.sparkplug", sparkplug.Servers.Any(s => s.UseTls), sparkplug.Tls, now);
        }

        for (int i = 0; i < configuration.Webhooks.Count; i++)
        {
            Uri url = configuration.Webhooks[i].Url;
            Describe(text, $"webhooks[{i}] ({url.Scheme}://{url.Host}:{url.Port})", url.Scheme == Uri.UriSchemeHttps, configuration.Webhooks[i].Tls, now);
        }

        return text.Length == 0 ? "no MQTT broker, Sparkplug server or webhook configured\n" : text.ToString();
    }

    private static void Describe(StringBuilder text, string where, bool usesTls, TlsFiles? files, DateTimeOffset now)
    {
        text.Append(where).Append(':').AppendLine();
        if (!usesTls && files is null)
        {
            text.AppendLine("  no TLS (plain connection)");
            return;
        }

        if (files?.CaFile is null)
        {
            text.AppendLine("  ca_file: none, the system trust store decides");
        }
        else
        {
            text.Append("  ca_file: ").AppendLine(files.CaFile);
            foreach (X509Certificate2 root in files.Roots ?? [])
            {
                Certificate(text, root, now);
            }
        }

        if (files?.ClientCertFile is null)
        {
            text.AppendLine("  client_cert: none");
        }
        else
        {
            text.Append("  client_cert: ").AppendLine(files.ClientCertFile);
            if (files.ClientCertificate is { } client)
            {
                Certificate(text, client, now);
            }

            text.Append("  client_key: ").Append(files.ClientKeyFile).AppendLine(" (the key itself is not included)");
        }
    }

    private static void Certificate(StringBuilder text, X509Certificate2 certificate, DateTimeOffset now)
    {
        DateTimeOffset notBefore = new(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        DateTimeOffset notAfter = new(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        string state = now < notBefore ? "NOT YET VALID"
            : now > notAfter ? "EXPIRED"
            : $"{(int)(notAfter - now).TotalDays} days left";
        text.Append("    - subject: ").AppendLine(certificate.Subject)
            .Append("      issuer: ").AppendLine(certificate.Issuer)
            .Append("      valid: ").Append(notBefore.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))
            .Append(" to ").Append(notAfter.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))
            .Append(" (").Append(state).AppendLine(")")
            .Append("      sha256: ").AppendLine(certificate.GetCertHashString(HashAlgorithmName.SHA256));
    }
}
