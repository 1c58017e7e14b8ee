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
/// <param name="CaFile">PEM file of the CA that signed the broker's certificate; null uses the system trust store.</param>
/// <param name="ClientId">MQTT client id.</param>
/// <param name="Username">User name, or null.</param>
/// <param name="Password">Password, or null. Never logged.</param>
/// <param name="Qos">0 or 1. With 0 nothing is acknowledged, so at-least-once is not guaranteed.</param>
/// <param name="MaxBatch">Most readings in one telemetry message.</param>
/// <param name="PersistentSession">
/// Connect with clean session off (<c>upstream.mqtt.persistent_session</c>, default true), so the broker keeps the
/// command subscription under <see cref="ClientId"/> and queues QoS 1 commands while the gateway is away.
/// </param>
public sealed record MqttUpstreamConfiguration(
    string Host,
    int Port,
    bool UseTls,
    string? CaFile,
    string ClientId,
    string? Username,
    string? Password,
    int Qos,
    int MaxBatch,
    bool PersistentSession = true)
{
    /// <summary>Keeps the password out of logs and exception messages that print records.</summary>
    public override string ToString() =>
        $"{(UseTls ? "mqtts" : "mqtt")}://{Host}:{Port} client_id={ClientId} user={(Username ?? "-")} qos={Qos} persistent_session={(PersistentSession ? "true" : "false")}";
}
