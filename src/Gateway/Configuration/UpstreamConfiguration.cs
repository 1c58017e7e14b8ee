namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>The <c>upstream:</c> section.</summary>
/// <param name="Mqtt">The MQTT broker, or null when none is configured.</param>
/// <param name="Console">Print every published message to standard output.</param>
/// <param name="TopicPrefix">Prefix of every topic (<c>upstream.mqtt.topic_prefix</c>, default <c>smartcity/{site}/{gateway id}</c>).</param>
public sealed record UpstreamConfiguration(MqttUpstreamConfiguration? Mqtt, bool Console, string TopicPrefix)
{
    /// <summary>The <c>upstream.sparkplug:</c> section, or null; an init property so that existing constructions need no change.</summary>
    public SparkplugUpstreamConfiguration? Sparkplug { get; init; }
}

/// <summary>The <c>upstream.mqtt:</c> section.</summary>
/// <param name="Host">Broker host.</param>
/// <param name="Port">Broker port (1883, or 8883 for <c>mqtts://</c>).</param>
/// <param name="UseTls">True for <c>mqtts://</c>.</param>
/// <param name="Tls">
/// <c>ca_file</c> (the CA that signed the broker's certificate; without it the system trust store) and
/// <c>client_cert</c>/<c>client_key</c> for brokers that require mutual TLS, read when the configuration is loaded;
/// null without any of them. A file replaced in place changes its fingerprint, so a reload picks it up.
/// </param>
/// <param name="ClientId">MQTT client id.</param>
/// <param name="Username">User name, or null.</param>
/// <param name="Password">Password, or null. Never logged.</param>
/// <param name="Qos">0 or 1. With 0 nothing is acknowledged, so at-least-once is not guaranteed.</param>
/// <param name="MaxBatch">Most readings in one telemetry message.</param>
/// <param name="AllowPlaintext">
/// <c>allow_plaintext: true</c>: accept user name and password over <c>mqtt://</c> to a host that is not this machine
/// (they, every reading and every command cross the network readable); warned at every start.
/// </param>
/// <param name="PersistentSession">
/// Connect with clean session off (<c>upstream.mqtt.persistent_session</c>, default true), so the broker keeps the
/// command subscription under <see cref="ClientId"/> and queues QoS 1 commands while the gateway is away.
/// </param>
public sealed record MqttUpstreamConfiguration(
    string Host,
    int Port,
    bool UseTls,
    TlsFiles? Tls,
    string ClientId,
    string? Username,
    string? Password,
    int Qos,
    int MaxBatch,
    bool PersistentSession = true,
    bool AllowPlaintext = false)
{
    /// <summary>Keeps the password out of logs and exception messages that print records.</summary>
    public override string ToString() =>
        $"{(UseTls ? "mqtts" : "mqtt")}://{Host}:{Port} client_id={ClientId} user={(Username ?? "-")} qos={Qos} persistent_session={(PersistentSession ? "true" : "false")}{(Tls is null ? string.Empty : " " + Tls)}";

    /// <summary>Credentials cross the network unencrypted: <c>mqtt://</c> with a user name or password to a host that is not this machine.</summary>
    public bool SendsCredentialsInClear => !UseTls && (Username is not null || Password is not null) && !IsLoopbackHost(Host);

    /// <summary>127.0.0.0/8, ::1 or <c>localhost</c>: traffic that never leaves this machine.</summary>
    public static bool IsLoopbackHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out System.Net.IPAddress? address) && System.Net.IPAddress.IsLoopback(address));
}
