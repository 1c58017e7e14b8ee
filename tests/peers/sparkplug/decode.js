// Decodes Sparkplug B payloads given as hex lines on stdin with Tahu's JavaScript codec (sparkplug-payload) and prints
// each as one JSON line (Longs as strings), or {"error":…}. Used by the codec tests to check bytes we encode.
'use strict';
const readline = require('readline');
const Long = require('long');
const sparkplug = require('sparkplug-payload').get('spBv1.0');
const proto = require('sparkplug-payload/lib/sparkplugPayloadProto.js').org.eclipse.tahu.protobuf;

const replacer = (k, v) => (Long.isLong(v) ? v.toString() : v && v.type === 'Buffer' ? Buffer.from(v.data).toString('hex') : v);
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  try {
    const buf = Buffer.from(line.trim(), 'hex');
    const decoded = sparkplug.decodePayload(buf);
    const raw = proto.Payload.toObject(proto.Payload.decode(buf), { longs: String, defaults: false });
    const rawHas = proto.Payload.decode(buf);
    const presence = {
      seq: Object.prototype.hasOwnProperty.call(rawHas, 'seq'),
      timestamp: Object.prototype.hasOwnProperty.call(rawHas, 'timestamp'),
      metrics: rawHas.metrics.map((m) => Object.keys(m).filter((k) => Object.prototype.hasOwnProperty.call(m, k))),
    };
    process.stdout.write(JSON.stringify({ decoded, raw, presence }, replacer) + '\n');
  } catch (e) {
    process.stdout.write(JSON.stringify({ error: e.message }) + '\n');
  }
});
