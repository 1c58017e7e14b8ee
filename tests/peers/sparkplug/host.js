// A Sparkplug B host application (the SCADA side) for the SmartCity.Edge Sparkplug tests, on npm `mqtt` and Tahu's
// JavaScript codec `sparkplug-payload`. It decodes every message under spBv1.0/ with sparkplug-payload (and the raw
// protobuf fields with the codec's generated reader), resolves aliases from the births as a host does, and prints
// one JSON line per message on stdout. It takes commands as JSON lines on stdin: publish a STATE, an NCMD encoded by
// sparkplug-payload, or raw bytes (hostile-input tests), and answers {"ev":"done","id":…} once each is published.
//
// Usage: node host.js --port PORT [--client-id ID]
// Prints "READY port=PORT" once subscribed.
'use strict';

const mqtt = require('mqtt');
const readline = require('readline');
const Long = require('long');
const sparkplug = require('sparkplug-payload').get('spBv1.0');
const proto = require('sparkplug-payload/lib/sparkplugPayloadProto.js').org.eclipse.tahu.protobuf;

const args = process.argv.slice(2);
function arg(name, fallback) {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}

const port = Number(arg('--port'));
const clientId = arg('--client-id', 'test-host-' + process.pid);
const print = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');

// Node-wide alias tables from the births: "group/edge" -> Map(alias string -> {name, datatype}).
const aliases = new Map();

const text = (v) => (v === undefined || v === null ? null : Long.isLong(v) ? v.toString() : Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v).toString('hex') : String(v));

// What a host makes of a metric's raw fields, given the datatype from its birth (the same rules as the codec's
// decoder, which cannot apply them to DATA metrics that carry only an alias).
function interpret(datatype, raw) {
  if (raw.isNull) return null;
  switch (datatype) {
    case 1: return raw.intValue === undefined ? undefined : String(new Int8Array([raw.intValue])[0]);
    case 2: return raw.intValue === undefined ? undefined : String(new Int16Array([raw.intValue])[0]);
    case 3: return raw.intValue === undefined ? undefined : String(new Int32Array([raw.intValue])[0]);
    case 5: case 6: return raw.intValue === undefined ? undefined : String(raw.intValue);
    case 7: return raw.longValue !== undefined ? Long.fromValue(raw.longValue).toUnsigned().toString() : raw.intValue === undefined ? undefined : String(raw.intValue >>> 0);
    case 4: return raw.longValue === undefined ? undefined : Long.fromValue(raw.longValue).toSigned().toString();
    case 8: case 13: return raw.longValue === undefined ? undefined : Long.fromValue(raw.longValue).toUnsigned().toString();
    case 9: return raw.floatValue === undefined ? undefined : String(raw.floatValue);
    case 10: return raw.doubleValue === undefined ? undefined : String(raw.doubleValue);
    case 11: return raw.booleanValue === undefined ? undefined : String(raw.booleanValue);
    case 12: case 14: case 15: return raw.stringValue === undefined ? undefined : raw.stringValue;
    default: return undefined;
  }
}

function describe(topic, packet) {
  const parts = topic.split('/');
  const [, group, type, edge, device] = parts;
  const buf = packet.payload;
  let decoded;
  try {
    decoded = sparkplug.decodePayload(buf);
  } catch (e) {
    return { ev: 'error', topic, error: 'sparkplug-payload cannot decode: ' + e.message, hex: buf.toString('hex') };
  }
  const raw = proto.Payload.decode(buf);
  const key = group + '/' + edge;
  if (type === 'NBIRTH') aliases.set(key, new Map());
  const table = aliases.get(key) || new Map();
  if (!aliases.has(key)) aliases.set(key, table);
  const metrics = (decoded.metrics || []).map((m, i) => {
    const r = raw.metrics[i];
    const has = (f) => Object.prototype.hasOwnProperty.call(r, f);
    const rawFields = {};
    for (const f of ['intValue', 'longValue', 'floatValue', 'doubleValue', 'booleanValue', 'stringValue', 'isNull', 'isHistorical', 'datatype']) {
      if (has(f)) rawFields[f] = r[f];
    }
    const alias = has('alias') ? text(r.alias) : null;
    if ((type === 'NBIRTH' || type === 'DBIRTH') && alias !== null) {
      table.set(alias, { name: r.name, datatype: r.datatype });
    }
    const known = alias !== null ? table.get(alias) : undefined;
    const resolvedName = has('name') ? r.name : known ? known.name : null;
    const resolvedType = has('datatype') ? r.datatype : known ? known.datatype : null;
    const quality = m.properties && m.properties.Quality ? m.properties.Quality : null;
    const qualityIndex = r.properties ? r.properties.keys.indexOf('Quality') : -1;
    const qualityType = qualityIndex >= 0 && r.properties.values[qualityIndex] ? r.properties.values[qualityIndex].type : null;
    const resolved = interpret(resolvedType, rawFields);
    return {
      name: has('name') ? r.name : null,
      alias,
      timestamp: has('timestamp') ? text(r.timestamp) : null,
      datatype: has('datatype') ? r.datatype : null,
      type: m.type,
      value: m.value === undefined ? null : text(m.value),
      isNull: has('isNull') ? r.isNull : false,
      isHistorical: has('isHistorical') ? r.isHistorical : false,
      quality: quality ? text(quality.value) : null,
      qualityType,
      resolvedName,
      resolvedType,
      resolvedValue: resolved === undefined ? '<no value field>' : resolved,
      raw: Object.fromEntries(Object.entries(rawFields).map(([k, v]) => [k, text(v)])),
    };
  });
  return {
    ev: 'msg',
    topic, type, group, edge, device: device === undefined ? null : device,
    qos: packet.qos, retain: packet.retain,
    hasSeq: Object.prototype.hasOwnProperty.call(raw, 'seq'),
    seq: Object.prototype.hasOwnProperty.call(raw, 'seq') ? text(raw.seq) : null,
    hasTimestamp: Object.prototype.hasOwnProperty.call(raw, 'timestamp'),
    timestamp: Object.prototype.hasOwnProperty.call(raw, 'timestamp') ? text(raw.timestamp) : null,
    metrics,
  };
}

const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4, clean: true, clientId, reconnectPeriod: 200, connectTimeout: 5000 });
let ready = false;
client.on('connect', () => {
  client.subscribe('spBv1.0/#', { qos: 1 }, (err) => {
    if (err) { print({ ev: 'error', error: 'subscribe: ' + err.message }); return; }
    if (!ready) { ready = true; process.stdout.write(`READY port=${port}\n`); }
    print({ ev: 'connected' });
  });
});
client.on('error', (e) => print({ ev: 'mqtt-error', error: e.message }));
client.on('message', (topic, payload, packet) => {
  if (topic.startsWith('spBv1.0/STATE/')) {
    print({ ev: 'state', topic, payload: payload.toString('utf8'), retain: packet.retain });
    return;
  }
  print(describe(topic, packet));
});

function publish(id, topic, payload, qos, retain) {
  client.publish(topic, payload, { qos, retain }, (err) => print({ ev: 'done', id, error: err ? err.message : null }));
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  let cmd;
  try { cmd = JSON.parse(line); } catch (e) { print({ ev: 'error', error: 'bad command: ' + line }); return; }
  const qos = cmd.qos === undefined ? 0 : cmd.qos;
  switch (cmd.op) {
    case 'state':
      publish(cmd.id, 'spBv1.0/STATE/' + cmd.host, Buffer.from(JSON.stringify({ online: cmd.online, timestamp: cmd.timestamp })), 1, true);
      break;
    case 'ncmd':
      publish(cmd.id, `spBv1.0/${cmd.group}/NCMD/${cmd.edge}`, sparkplug.encodePayload({ timestamp: Date.now(), metrics: cmd.metrics }), qos, false);
      break;
    case 'dcmd':
      publish(cmd.id, `spBv1.0/${cmd.group}/DCMD/${cmd.edge}/${cmd.device}`, sparkplug.encodePayload({ timestamp: Date.now(), metrics: cmd.metrics }), qos, false);
      break;
    case 'raw':
      publish(cmd.id, cmd.topic, Buffer.from(cmd.hex, 'hex'), qos, !!cmd.retain);
      break;
    case 'quit':
      client.end(false, () => process.exit(0));
      break;
    default:
      print({ ev: 'error', error: 'unknown op ' + cmd.op });
  }
});
process.stdin.on('end', () => client.end(true, () => process.exit(0)));
