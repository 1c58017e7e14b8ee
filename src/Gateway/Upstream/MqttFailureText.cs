using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Adapter;
using MQTTnet.Exceptions;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Upstream;

/// <summary>
/// Why a broker connection failed, for a technician: each text starts with the configuration key to look at and ends
/// with the likely fix (<c>upstream.mqtt.server: cannot reach mqtt host:1884: connection refused …: check the port</c>).
/// One place for the service's outage log (<see cref="MqttPublisher"/>) and <c>smartcity-edge test</c>'s broker check,
/// so both say the same.
/// </summary>
internal static class MqttFailureText
{
    private const string Server = "upstream.mqtt.server";

    /// <summary>The broker answered CONNACK with a refusal (MQTT 3.1.1 §3.2.2.3).</summary>
    public static string Refused(MQTTnet.MqttClientConnectResultCode code, string? reason, string name)
    {
        string detail = string.IsNullOrEmpty(reason) ? string.Empty : " " + reason;
        return code switch
        {
            MQTTnet.MqttClientConnectResultCode.BadUserNameOrPassword or MQTTnet.MqttClientConnectResultCode.NotAuthorized =>
                $"upstream.mqtt.username/password: broker {name} refused the connection: {code}{detail}: check the user name and password (and that the broker knows this user)",
            MQTTnet.MqttClientConnectResultCode.ClientIdentifierNotValid =>
                $"upstream.mqtt.client_id: broker {name} refused the connection: {code}{detail}: the broker does not accept this client id (length, characters, or its own rules)",
            MQTTnet.MqttClientConnectResultCode.ServerUnavailable or MQTTnet.MqttClientConnectResultCode.ServerBusy =>
                $"{Server}: broker {name} refused the connection: {code}{detail}: the broker is not ready; it is retried",
            _ => $"{Server}: broker {name} refused the connection: {code}{detail}",
        };
    }

    /// <summary>
    /// Why the broker's certificate was refused, naming <c>ca_file</c> or <c>server</c>; null when TLS accepted it.
    /// </summary>
    public static string? CertificateProblem(SslPolicyErrors errors, X509Chain? chain, MqttUpstreamConfiguration configuration)
    {
        if (errors == SslPolicyErrors.None)
        {
            return null;
        }

        var reasons = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            reasons.Add("the broker sent no certificate");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            string status = string.Join(", ", (chain?.ChainStatus ?? []).Select(s => s.Status.ToString()).Distinct());
            reasons.Add(configuration.Tls?.CaFile is { } caFile
                ? $"its certificate is not signed by the CA in upstream.mqtt.ca_file '{caFile}' ({status}): set ca_file to the PEM file of the CA that signed the broker's certificate"
                : $"its certificate is not signed by a CA in the system trust store ({status}): set upstream.mqtt.ca_file to the PEM file of the CA that signed it (a park's private CA)");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            reasons.Add($"its certificate does not name {configuration.Host}: write the name it carries in {Server}, or have the certificate reissued with this name");
        }

        return string.Join("; ", reasons);
    }

    /// <summary>Any other failure of a connect attempt, with the key it points to.</summary>
    public static string Describe(Exception ex, MqttUpstreamConfiguration configuration, string name, string? certificateProblem, TimeSpan connectTimeout) => ex switch
    {
        // Our own validation refused the broker's certificate: that is the cause, whatever the failure surfaced as
        // afterwards (the handshake's exception, a cancellation, the socket closed by either side).
        _ when certificateProblem is not null => $"{(certificateProblem.Contains("ca_file", StringComparison.Ordinal) ? "upstream.mqtt.ca_file" : Server)}: TLS: {name} refused: {certificateProblem}",
        MqttConnectingFailedException connecting => CodeIn(connecting.Message) is var code && code != MQTTnet.MqttClientConnectResultCode.UnspecifiedError
            ? Refused(code, null, name)
            : $"{Server}: {name} refused the connection: {connecting.Message}",
        OperationCanceledException => $"{Server}: no answer from {name} within {connectTimeout.TotalSeconds:0}s: check the host and port{(configuration.UseTls ? " (a plain MQTT port answers mqtts:// with nothing: 8883 is the usual TLS port)" : " (a TLS port answers mqtt:// with nothing: use mqtts:// for it)")} and firewalls",
        // TLS 1.3: a broker that refuses our client certificate (or its absence) closes the connection only after
        // the handshake completed on our side, so the failure shows on the first write, as a closed socket.
        _ when configuration.UseTls && ex.InnerException is SocketException { SocketErrorCode: SocketError.NotConnected or SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown } closed
            => $"upstream.mqtt.client_cert: {name} closed the TLS connection while it was being set up ({closed.SocketErrorCode}){ClientCertificateHint(configuration)}",
        _ when ex.InnerException is SocketException socket => Unreachable(socket.SocketErrorCode, configuration, name),
        _ when ex.GetBaseException() is AuthenticationException auth => $"upstream.mqtt.client_cert: TLS handshake with {name} failed: {auth.Message}{ClientCertificateHint(configuration)}",
        _ when configuration.UseTls && ex.GetBaseException() is IOException io => $"{Server}: TLS connection to {name} failed: {io.Message} (is it a TLS port? mqtts:// needs the broker's TLS listener, usually 8883){ClientCertificateHint(configuration)}",
        _ when !configuration.UseTls && ex.GetBaseException() is IOException or EndOfStreamException => $"{Server}: {name} closed the connection without answering MQTT (a TLS port? then write mqtts://)",
        _ => $"{Server}: {name}: {ex.GetBaseException().Message}",
    };

    /// <summary>
    /// MQTTnet 5 reports a CONNACK refusal as an exception whose message names the code
    /// (<c>Connecting with MQTT server failed (NotAuthorized).</c>), without a typed result.
    /// </summary>
    private static MQTTnet.MqttClientConnectResultCode CodeIn(string message)
    {
        foreach (MQTTnet.MqttClientConnectResultCode code in Enum.GetValues<MQTTnet.MqttClientConnectResultCode>())
        {
            if (code != MQTTnet.MqttClientConnectResultCode.Success && message.Contains("(" + code + ")", StringComparison.Ordinal))
            {
                return code;
            }
        }

        return MQTTnet.MqttClientConnectResultCode.UnspecifiedError;
    }

    private static string Unreachable(SocketError error, MqttUpstreamConfiguration configuration, string name) => error switch
    {
        SocketError.ConnectionRefused =>
            $"{Server}: cannot reach {name}: connection refused, nothing listens on port {configuration.Port} there: check the port ({(configuration.UseTls ? "8883" : "1883")} is usual for {(configuration.UseTls ? "mqtts" : "mqtt")}://) and that the broker runs",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain =>
            $"{Server}: cannot reach {name}: the host name {configuration.Host} does not resolve: check the host (or this machine's DNS)",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.TimedOut =>
            $"{Server}: cannot reach {name}: {error}: check the host address, the network route and firewalls",
        _ => $"{Server}: cannot reach {name}: {error}",
    };

    /// <summary>A broker that requires a client certificate ends the handshake with an alert or just closes.</summary>
    private static string ClientCertificateHint(MqttUpstreamConfiguration configuration) => configuration.Tls?.ClientCertificate is null
        ? " (if the broker requires a client certificate, set upstream.mqtt.client_cert and client_key)"
        : $" (check that the broker trusts the CA of upstream.mqtt.client_cert '{configuration.Tls.ClientCertFile}')";
}
