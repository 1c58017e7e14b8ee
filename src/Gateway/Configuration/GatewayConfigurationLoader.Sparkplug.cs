using System.Text;
using SmartCity.Edge.Drivers.Configuration;
using SmartCity.Edge.Gateway.Upstream.Sparkplug;

namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>The <c>upstream.sparkplug:</c> section (Sparkplug B edge node).</summary>
public sealed partial class GatewayConfigurationLoader
{
    /// <summary>MQTT 3.1.1 §3.1.3.1 guarantees 23 characters; every broker we know takes far more, this keeps ids sane.</summary>
    private const int MaxClientIdLength = 128;

    private static SparkplugUpstreamConfiguration? ReadSparkplug(ConfigSection section, GatewayIdentity gateway)
    {
        IReadOnlyList<string>? servers = section.GetScalarList("servers", required: true);
        string groupId = section.GetRequiredString("group_id");
        string edgeNodeId = section.GetString("edge_node_id", gateway.Id)!;
        string? primaryHostId = section.GetString("primary_host_id");
        string? clientId = section.GetString("client_id");
        string? username = section.GetString("username");
        string? password = section.GetString("password");
        string? caFile = section.GetString("ca_file");
        string? clientCert = section.GetString("client_cert");
        string? clientKey = section.GetString("client_key");
        bool allowPlaintext = section.GetBoolean("allow_plaintext", false);
        bool commands = section.GetBoolean("commands", false);
        IReadOnlyList<string>? commandsAllow = section.GetScalarList("commands_allow");
        section.ReportUnknownKeys();

        bool ok = true;
        ok &= CheckSparkplugId(section, "group_id", groupId);
        ok &= CheckSparkplugId(section, "edge_node_id", edgeNodeId);
        if (primaryHostId is not null)
        {
            ok &= CheckSparkplugId(section, "primary_host_id", primaryHostId);
        }

        var addresses = new List<SparkplugServerAddress>();
        if (servers is { Count: 0 })
        {
            section.Error("servers", "lists no broker (write servers: [\"mqtts://broker-a:8883\", \"mqtts://broker-b:8883\"])");
            ok = false;
        }

        foreach (string server in servers ?? [])
        {
            if (Uri.TryCreate(server, UriKind.Absolute, out Uri? uri) && uri.UserInfo.Length > 0)
            {
                // Never echo it: the part before '@' is a secret.
                section.Error("servers", $"a server address carries a user name and password ({uri.Scheme}://…@{uri.Host}); put them in username and password, from ${{ENV}} or ${{file:}}");
                ok = false;
                continue;
            }

            if (uri is null || (uri.Scheme != "mqtt" && uri.Scheme != "mqtts") || uri.Host.Length == 0 || uri.AbsolutePath is not ("" or "/") || uri.Query.Length > 0)
            {
                section.Error("servers", $"'{server}' is not a broker address (write mqtt://host:1883 or mqtts://host:8883)");
                ok = false;
                continue;
            }

            bool secure = uri.Scheme == "mqtts";
            int port = uri.IsDefaultPort || uri.Port <= 0 ? (secure ? 8883 : 1883) : uri.Port;
            var address = new SparkplugServerAddress(uri.IdnHost, port, secure);
            if (addresses.Contains(address))
            {
                section.Error("servers", $"'{server}' is listed twice");
                ok = false;
                continue;
            }

            addresses.Add(address);
        }

        clientId ??= DefaultSparkplugClientId(groupId, edgeNodeId);
        if (clientId.Length == 0 || clientId.Length > MaxClientIdLength || clientId.Any(char.IsControl))
        {
            section.Error("client_id", $"must be 1 to {MaxClientIdLength} printable characters; it identifies the edge node's session to the broker");
            ok = false;
        }

        TlsFiles? tls = null;
        if (caFile is not null || clientCert is not null || clientKey is not null)
        {
            if (addresses.Count > 0 && !addresses.Any(a => a.UseTls))
            {
                section.Error(caFile is not null ? "ca_file" : clientCert is not null ? "client_cert" : "client_key", "is only used with mqtts:// servers");
                ok = false;
            }
            else
            {
                tls = ReadTlsFiles(section, caFile, clientCert, clientKey);
                ok &= tls is not null;
            }
        }

        if (password is not null && username is null)
        {
            section.Error("password", "a password needs a username");
            ok = false;
        }

        // As for upstream.mqtt: credentials never cross the network in clear unless the technician says so.
        if ((username is not null || password is not null) && !allowPlaintext
            && addresses.FirstOrDefault(a => !a.UseTls && !MqttUpstreamConfiguration.IsLoopbackHost(a.Host)) is { } clear)
        {
            section.Error("servers", $"{clear} would send the user name, password, every reading and every command unencrypted over the network: use mqtts:// (port 8883, ca_file: for a private CA), or set allow_plaintext: true to accept that");
            ok = false;
        }

        IReadOnlyList<CommandPermission> allow = ReadSparkplugCommandsAllow(section, commands, commandsAllow, ref ok);
        return ok
            ? new SparkplugUpstreamConfiguration(addresses, groupId, edgeNodeId, primaryHostId, clientId, username, password, tls) { AllowPlaintext = allowPlaintext, Commands = commands, CommandsAllow = allow }
            : null;
    }

    /// <summary>
    /// <c>commands_allow</c>: what an unsigned DCMD may write, as <c>write:DEVICE/TAG</c> patterns (a key's <c>allow:</c>
    /// entries). Required with <c>commands: true</c>: anyone who can publish on the DCMD topics is the sender, so
    /// nothing is writable unless listed here.
    /// </summary>
    private static IReadOnlyList<CommandPermission> ReadSparkplugCommandsAllow(ConfigSection section, bool commands, IReadOnlyList<string>? texts, ref bool ok)
    {
        var allow = new List<CommandPermission>();
        foreach (string text in texts ?? [])
        {
            CommandPermission? permission = CommandPermission.Parse(text, out string? error);
            if (permission is null)
            {
                section.Error("commands_allow", error!);
                ok = false;
            }
            else if (permission.Command != "write")
            {
                section.Error("commands_allow", $"'{text}': a DCMD carries writes only; list \"write:DEVICE/TAG\" patterns (e.g. \"write:door-contacts/*\")");
                ok = false;
            }
            else
            {
                allow.Add(permission);
            }
        }

        if (commands && texts is null or { Count: 0 })
        {
            section.Error("commands_allow", "is required with commands: true: list what a DCMD may write, e.g. commands_allow: [\"write:door-contacts/*\"] (a DCMD is unsigned: anyone who may publish on its topic can write what is listed)");
            ok = false;
        }
        else if (!commands && texts is not null)
        {
            section.Error("commands_allow", "has no effect without commands: true (DCMD writes are off)");
            ok = false;
        }

        return allow;
    }

    private static bool CheckSparkplugId(ConfigSection section, string key, string id)
    {
        if (id.Length == 0)
        {
            return false; // "is required" or an empty value was reported by the getter
        }

        if (SparkplugIdentifier.Problem(id) is { } problem)
        {
            section.Error(key, problem);
            return false;
        }

        return true;
    }

    /// <summary>Stable across restarts and unique per edge node (the TCK expects every NBIRTH of a node from one client id).</summary>
    private static string DefaultSparkplugClientId(string groupId, string edgeNodeId)
    {
        var id = new StringBuilder("spb-");
        foreach (char c in groupId + "-" + edgeNodeId)
        {
            id.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        return id.ToString();
    }
}
