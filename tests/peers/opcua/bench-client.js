// node-opcua client doing what the SmartCity.Edge OPC UA benchmark does, for a side-by-side comparison.
// usage: node bench-client.js ENDPOINT SECONDS PKI_DIR
// Prints one JSON line: {"readsPerSecond", "nodesPerSecond", "changesPerSecond", "cpuMsPerRead", "cpuUsPerChange", "rssMiB", "heapMiB"}
"use strict";
const path = require("path");
const { OPCUAClient, OPCUACertificateManager, AttributeIds, TimestampsToReturn, ClientSubscription, ClientMonitoredItemGroup, MessageSecurityMode, SecurityPolicy } = require("node-opcua");

const endpoint = process.argv[2];
const seconds = parseFloat(process.argv[3] || "5");
const pki = process.argv[4] || path.join(require("os").tmpdir(), "smartcity-edge-opcua-bench-pki");
const perRequest = 250; // the test server's maxNodesPerRead: split as our client does

async function main() {
    const clientCertificateManager = new OPCUACertificateManager({ rootFolder: path.join(pki, "client"), automaticallyAcceptUnknownCertificate: true });
    const client = OPCUAClient.create({ clientCertificateManager, endpointMustExist: false, securityMode: MessageSecurityMode.None, securityPolicy: SecurityPolicy.None, keepSessionAlive: true });
    await client.connect(endpoint);
    const session = await client.createSession();

    // Reads of 1,000 nodes, back to back (split by the server's operation limit and sent together, as our client does).
    const nodes = [];
    for (let i = 0; i < 1000; i++) nodes.push({ nodeId: `ns=1;s=Bench.N${String(i).padStart(4, "0")}`, attributeId: AttributeIds.Value });
    // The parts go out together (Promise.all), as our client pipelines them.
    const readAll = async () => {
        const parts = [];
        for (let offset = 0; offset < nodes.length; offset += perRequest) {
            parts.push(session.read(nodes.slice(offset, offset + perRequest)));
        }
        return (await Promise.all(parts)).reduce((n, values) => n + values.length, 0);
    };
    await readAll();
    let reads = 0;
    const cpuRead = process.cpuUsage();
    const readStart = process.hrtime.bigint();
    const readEnd = readStart + BigInt(Math.round(seconds * 1e9));
    while (process.hrtime.bigint() < readEnd) {
        if (await readAll() !== 1000) throw new Error("short read");
        reads++;
    }
    const readSeconds = Number(process.hrtime.bigint() - readStart) / 1e9;
    const readCpu = process.cpuUsage(cpuRead);

    // Data changes through one subscription on the 1,000 nodes the --bench server changes every 50 ms.
    const subscription = ClientSubscription.create(session, {
        requestedPublishingInterval: 50, requestedLifetimeCount: 600, requestedMaxKeepAliveCount: 20,
        maxNotificationsPerPublish: 0, publishingEnabled: true, priority: 0,
    });
    await new Promise((resolve) => subscription.on("started", resolve));
    const items = nodes.map((n) => ({ nodeId: n.nodeId, attributeId: AttributeIds.Value }));
    const group = ClientMonitoredItemGroup.create(subscription, items, { samplingInterval: 0, queueSize: 10, discardOldest: true }, TimestampsToReturn.Both);
    let changes = 0;
    let counting = false;
    group.on("changed", () => { if (counting) changes++; });
    await new Promise((resolve) => group.on("initialized", resolve));
    await new Promise((resolve) => setTimeout(resolve, 500));
    counting = true;
    const cpuSub = process.cpuUsage();
    const subStart = process.hrtime.bigint();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    counting = false;
    const subSeconds = Number(process.hrtime.bigint() - subStart) / 1e9;
    const subCpu = process.cpuUsage(cpuSub);

    const memory = process.memoryUsage();
    process.stdout.write(JSON.stringify({
        readsPerSecond: reads / readSeconds,
        nodesPerSecond: (reads * 1000) / readSeconds,
        changesPerSecond: changes / subSeconds,
        cpuMsPerRead: (readCpu.user + readCpu.system) / 1000 / reads,
        cpuUsPerChange: changes > 0 ? (subCpu.user + subCpu.system) / changes : 0,
        rssMiB: memory.rss / 1048576,
        heapMiB: memory.heapUsed / 1048576,
    }) + "\n");
    await subscription.terminate();
    await session.close();
    await client.disconnect();
}

main().then(() => process.exit(0)).catch((err) => {
    process.stderr.write(`bench client failed: ${err && err.stack || err}\n`);
    process.exit(1);
});
