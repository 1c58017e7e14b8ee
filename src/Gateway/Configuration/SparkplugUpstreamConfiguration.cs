namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>The <c>upstream.sparkplug:</c> section: the gateway as a Sparkplug B 3.0 edge node (docs/upstream.md).</summary>
/// <param name="Servers">Brokers, tried in order; one connection at a time, the next one on failure.</param>
/// <param name="GroupId">Sparkplug group id.</param>
/// <param name="EdgeNodeId">Sparkplug edge node id (default: the gateway id).</param>
/// <param name="PrimaryHostId">Host application whose <c>online</c> STATE the births wait for; null publishes at once.</param>
/// <param name="ClientId">MQTT client id, stable across connects (default <c>{group}-{edge node}</c> with unsafe characters replaced).</param>
/// <param name="Username">User name, or null.</param>
/// <param name="Password">Password, or null. Never logged.</param>
/// <param name="Tls">ca_file, client_cert and client_key for <c>mqtts://</c> servers; null uses the system trust store and no client certificate.</param>
public sealed record SparkplugUpstreamConfiguration(
    IReadOnlyList<SparkplugServerAddress> Servers,
    string GroupId,
    string EdgeNodeId,
    string? PrimaryHostId,
    string ClientId,
    string? Username,
    string? Password,
    TlsFiles? Tls)
{
    /// <summary><c>allow_plaintext</c>: credentials may go to a non-local <c>mqtt://</c> server unencrypted (warned at start).</summary>
    public bool AllowPlaintext { get; init; }

    /// <summary>
    /// <c>commands</c>: DCMD metrics naming a writable tag are executed as operator writes (docs/commands.md,
    /// "Sparkplug DCMD writes"). Off by default: a DCMD carries no signature.
    /// </summary>
    public bool Commands { get; init; }

    /// <summary><c>commands_allow</c>: the <c>write:DEVICE/TAG</c> patterns a DCMD may write; empty writes nothing.</summary>
    public IReadOnlyList<CommandPermission> CommandsAllow { get; init; } = [];

    /// <summary>Keeps the password out of logs and exception messages that print records.</summary>
    public override string ToString() =>
        $"{string.Join(",", Servers)} group_id={GroupId} edge_node_id={EdgeNodeId} primary_host_id={PrimaryHostId ?? "-"} client_id={ClientId} user={Username ?? "-"} commands={(Commands ? "on" : "off")}";
}

/// <summary>One entry of <c>upstream.sparkplug.servers</c>.</summary>
public sealed record SparkplugServerAddress(string Host, int Port, bool UseTls)
{
    public override string ToString() => $"{(UseTls ? "mqtts" : "mqtt")}://{Host}:{Port}";
}
