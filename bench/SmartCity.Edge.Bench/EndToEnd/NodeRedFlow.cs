using System.Globalization;
using System.Text.Json;

namespace SmartCity.Edge.Bench.EndToEnd;

/// <summary>
/// The Node-RED flow doing the gateway's job for one shape: per device a <c>modbus-client</c> (TCP, its own port) and
/// one <c>modbus-read</c> node per block of ≤ 125 holding registers polling at the shape's interval (the contrib's
/// own poll timer); every read goes through one function node that turns the register values into our upstream JSON
/// (docs/upstream.md: gateway, device, readings with tag, value, quality, ts, seq), and one <c>mqtt out</c> node
/// publishes it at QoS 1 — one message per read. Node-RED keeps nothing on disk. Options not named by the job keep
/// the values the editor gives a new node (node-red-contrib-modbus's modbus-read.html and modbus-client.html defaults).
/// </summary>
internal static class NodeRedFlow
{
    public const string System = "nodered";

    // Each read node's topic is "DEVICE:FIRST_REGISTER"; the function names the tags as the gateway's config does.
    private const string Function = """
        // One modbus-read poll: msg.payload holds the register values of one block, msg.topic says "device:first".
        const [device, first] = msg.topic.split(':');
        const start = Number(first);
        const ts = new Date().toISOString();
        let seq = context.get('seq') || 0;
        const values = msg.payload;
        const readings = new Array(values.length);
        for (let i = 0; i < values.length; i++) {
            readings[i] = { tag: 'r' + String(start + i).padStart(4, '0'), value: values[i], quality: 'good', ts: ts, seq: ++seq };
        }
        context.set('seq', seq);
        return { topic: 'bench/nodered/telemetry/' + device, payload: JSON.stringify({ gateway: 'nodered', device: device, readings: readings }) };
        """;

    public static void Write(string path, LoadShape shape, IReadOnlyList<int> devicePorts, int brokerPort)
    {
        using FileStream file = File.Create(path);
        using var w = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true });
        w.WriteStartArray();

        w.WriteStartObject();
        w.WriteString("id", "tab");
        w.WriteString("type", "tab");
        w.WriteString("label", $"e2e {shape}");
        w.WriteEndObject();

        w.WriteStartObject();
        w.WriteString("id", "broker");
        w.WriteString("type", "mqtt-broker");
        w.WriteString("name", "bench broker");
        w.WriteString("broker", "127.0.0.1");
        w.WriteString("port", brokerPort.ToString(CultureInfo.InvariantCulture));
        w.WriteString("clientid", "e2e-nodered");
        w.WriteBoolean("autoConnect", true);
        w.WriteBoolean("usetls", false);
        w.WriteString("protocolVersion", "4"); // MQTT 3.1.1, as the gateway
        w.WriteString("keepalive", "60");
        w.WriteBoolean("cleansession", true);
        w.WriteBoolean("autoUnsubscribe", true);
        w.WriteEndObject();

        var reads = new List<string>();
        for (int d = 0; d < shape.Devices; d++)
        {
            string device = LoadShape.DeviceId(d);
            w.WriteStartObject();
            w.WriteString("id", "client-" + device);
            w.WriteString("type", "modbus-client");
            w.WriteString("name", device);
            w.WriteString("clienttype", "tcp");
            w.WriteBoolean("bufferCommands", true);
            w.WriteBoolean("stateLogEnabled", false);
            w.WriteBoolean("queueLogEnabled", false);
            w.WriteBoolean("failureLogEnabled", true);
            w.WriteString("tcpHost", "127.0.0.1");
            w.WriteString("tcpPort", devicePorts[d].ToString(CultureInfo.InvariantCulture));
            w.WriteString("tcpType", "DEFAULT");
            w.WriteString("serialPort", "/dev/ttyUSB");
            w.WriteString("serialType", "RTU-BUFFERD");
            w.WriteString("serialBaudrate", "9600");
            w.WriteString("serialDatabits", "8");
            w.WriteString("serialStopbits", "1");
            w.WriteString("serialParity", "none");
            w.WriteString("serialConnectionDelay", "100");
            w.WriteString("unit_id", "1");
            w.WriteString("commandDelay", "1"); // the contrib's default pause between queued commands (ms)
            w.WriteString("clientTimeout", "1000");
            w.WriteBoolean("reconnectOnTimeout", true);
            w.WriteString("reconnectTimeout", "2000");
            w.WriteBoolean("parallelUnitIdsAllowed", true);
            w.WriteBoolean("showErrors", false);
            w.WriteBoolean("showWarnings", true);
            w.WriteBoolean("showLogs", true);
            w.WriteEndObject();

            for (int block = 0; block < shape.ReadsPerPoll; block++)
            {
                int first = block * LoadShape.MaxRegistersPerRead;
                int count = Math.Min(LoadShape.MaxRegistersPerRead, shape.Tags - first);
                string id = $"read-{device}-{first}";
                reads.Add(id);
                w.WriteStartObject();
                w.WriteString("id", id);
                w.WriteString("type", "modbus-read");
                w.WriteString("z", "tab");
                w.WriteString("name", "");
                w.WriteString("topic", $"{device}:{first}");
                w.WriteBoolean("showStatusActivities", false);
                w.WriteBoolean("logIOActivities", false);
                w.WriteBoolean("showErrors", false);
                w.WriteBoolean("showWarnings", true);
                w.WriteString("unitid", "1");
                w.WriteString("dataType", "HoldingRegister");
                w.WriteString("adr", first.ToString(CultureInfo.InvariantCulture));
                w.WriteString("quantity", count.ToString(CultureInfo.InvariantCulture));
                w.WriteString("rate", ((int)shape.Interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
                w.WriteString("rateUnit", "ms");
                w.WriteBoolean("delayOnStart", false);
                w.WriteString("startDelayTime", "");
                w.WriteString("server", "client-" + device);
                w.WriteBoolean("useIOFile", false);
                w.WriteString("ioFile", "");
                w.WriteBoolean("useIOForPayload", false);
                w.WriteBoolean("emptyMsgOnFail", false);
                WritePlacement(w, 150, 40 + (20 * reads.Count), ["to-json"], []); // output 2 (raw response) unused
                w.WriteEndObject();
            }
        }

        w.WriteStartObject();
        w.WriteString("id", "to-json");
        w.WriteString("type", "function");
        w.WriteString("z", "tab");
        w.WriteString("name", "to upstream JSON");
        w.WriteString("func", Function);
        w.WriteNumber("outputs", 1);
        w.WriteNumber("timeout", 0);
        w.WriteNumber("noerr", 0);
        w.WriteString("initialize", "");
        w.WriteString("finalize", "");
        w.WriteStartArray("libs");
        w.WriteEndArray();
        WritePlacement(w, 450, 40, ["publish"]);
        w.WriteEndObject();

        w.WriteStartObject();
        w.WriteString("id", "publish");
        w.WriteString("type", "mqtt out");
        w.WriteString("z", "tab");
        w.WriteString("name", "");
        w.WriteString("topic", ""); // msg.topic
        w.WriteString("qos", "1");
        w.WriteString("retain", "false");
        w.WriteString("broker", "broker");
        WritePlacement(w, 700, 40);
        w.WriteEndObject();

        w.WriteEndArray();
    }

    /// <summary>A node's place in the editor and its wires: one array of target node ids per output.</summary>
    private static void WritePlacement(Utf8JsonWriter w, int x, int y, params string[][] outputs)
    {
        w.WriteNumber("x", x);
        w.WriteNumber("y", y);
        w.WriteStartArray("wires");
        foreach (string[] targets in outputs)
        {
            w.WriteStartArray();
            foreach (string target in targets)
            {
                w.WriteStringValue(target);
            }

            w.WriteEndArray();
        }

        w.WriteEndArray();
    }
}
