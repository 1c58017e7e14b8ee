using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Upstream;

/// <summary>
/// MQTTnet client options from <c>upstream.mqtt</c>: server, credentials, TLS with exactly the configured roots and the
/// client certificate. The one place they are built, so <c>smartcity-edge test</c>'s broker check connects with the
/// TLS and credentials the service uses.
/// </summary>
internal static class MqttConnectionOptions
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <param name="configuration">The validated section (its PEM files were read at load).</param>
    /// <param name="clientId">The client id to connect with.</param>
    /// <param name="cleanSession">Clean session (MQTT 3.1.1 §3.1.2.4).</param>
    /// <param name="willTopic">Where the broker publishes a retained <c>offline</c> if the connection dies; null for none.</param>
    /// <param name="validateCertificate">Judges the broker's certificate (it receives TLS's verdict against the configured roots).</param>
    public static MqttClientOptions Create(MqttUpstreamConfiguration configuration, string clientId, bool cleanSession, string? willTopic, Func<MqttClientCertificateValidationEventArgs, bool> validateCertificate)
    {
        MqttClientOptionsBuilder builder = new MqttClientOptionsBuilder()
            .WithTcpServer(configuration.Host, configuration.Port)
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V311) // the version every broker in the field speaks
            .WithCleanSession(cleanSession)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(ConnectTimeout);
        if (willTopic is not null)
        {
            builder.WithWillTopic(willTopic)
                .WithWillPayload("offline")
                .WithWillRetain(true)
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        }

        if (configuration.Username is not null)
        {
            builder.WithCredentials(configuration.Username, configuration.Password ?? string.Empty);
        }

        if (configuration.UseTls)
        {
            // The PEM files were read and checked when the configuration was loaded (TlsFiles).
            builder.WithTlsOptions(tls =>
            {
                tls.UseTls(true).WithTargetHost(configuration.Host);
                tls.WithCertificateValidationHandler(validateCertificate);
                if (configuration.Tls?.Roots is { } roots)
                {
                    // Trust exactly the configured CA for the broker, as mosquitto's cafile does.
                    tls.WithTrustChain(roots);
                }

                if (configuration.Tls?.ClientCertificate is { } client)
                {
                    tls.WithClientCertificates([client]);
                    // Present it whatever CA list the broker announces: the operator configured it for this broker.
                    tls.WithCertificateSelectionHandler(_ => client);
                }
            });
        }

        return builder.Build();
    }
}
