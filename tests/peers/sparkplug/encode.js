// Encodes Sparkplug B payloads with Tahu's JavaScript codec (sparkplug-payload): one JSON payload object per stdin line
// ({"timestamp":…,"seq":…,"metrics":[{"name":…,"alias":…,"type":"Int8",…,"value":…}]}), one hex line out per payload.
// 64-bit values may be given as decimal strings. Used by the codec tests as golden vectors for our reader.
'use strict';
const readline = require('readline');
const Long = require('long');
const sparkplug = require('sparkplug-payload').get('spBv1.0');

const wide = new Set(['Int64', 'UInt64', 'DateTime', 'UInt32']);
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  try {
    const payload = JSON.parse(line);
    for (const m of payload.metrics || []) {
      if (typeof m.value === 'string' && wide.has(m.type)) m.value = Long.fromString(m.value, m.type !== 'Int64');
      if (typeof m.alias === 'string') m.alias = Long.fromString(m.alias, true);
    }
    process.stdout.write(Buffer.from(sparkplug.encodePayload(payload)).toString('hex') + '\n');
  } catch (e) {
    process.stdout.write('ERROR ' + e.message + '\n');
  }
});
