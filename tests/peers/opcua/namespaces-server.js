// node-opcua server for the peer-restart tests: restarted by the test with its namespaces registered in another
// order, or with a new application certificate (a new PKI folder makes node-opcua create one).
// usage: node namespaces-server.js PORT PKI_DIR ORDER BASE
//   ORDER  comma-separated names registered in that order after the server's own namespace, each as the namespace
//          urn:smartcity:test:NAME (e.g. "doors,meters" or "meters,doors")
//   BASE   a number: in namespace NAME the Double s=Level is BASE + (position of NAME in "doors,meters") + 1, so a
//          client that reads the wrong namespace sees the other value; s=Ticks (UInt32) counts up every 100 ms
// Endpoints: None, and Basic256Sha256 Sign/SignAndEncrypt (client certificates accepted automatically).
// Prints "READY <port>" on stdout once listening; stops on SIGTERM/SIGINT or when stdin closes.
"use strict";
const path = require("path");
const { OPCUAServer, OPCUACertificateManager, Variant, DataType, MessageSecurityMode, SecurityPolicy } = require("node-opcua");

const port = parseInt(process.argv[2] || "0", 10);
const pki = process.argv[3];
const order = (process.argv[4] || "doors,meters").split(",");
const base = parseFloat(process.argv[5] || "100");
const known = ["doors", "meters"];

async function main() {
    const server = new OPCUAServer({
        port,
        hostname: "127.0.0.1",
        serverCertificateManager: new OPCUACertificateManager({ rootFolder: path.join(pki, "server"), automaticallyAcceptUnknownCertificate: true }),
        securityModes: [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
        securityPolicies: [SecurityPolicy.None, SecurityPolicy.Basic256Sha256],
        allowAnonymous: true,
    });
    await server.initialize();
    const addressSpace = server.engine.addressSpace;
    const ticks = [];
    for (const name of order) {
        const namespace = addressSpace.registerNamespace(`urn:smartcity:test:${name}`);
        namespace.addVariable({
            organizedBy: addressSpace.rootFolder.objects,
            browseName: `${name}-level`,
            nodeId: "s=Level",
            dataType: "Double",
            value: new Variant({ dataType: DataType.Double, value: base + known.indexOf(name) + 1 }),
        });
        ticks.push(namespace.addVariable({
            organizedBy: addressSpace.rootFolder.objects,
            browseName: `${name}-ticks`,
            nodeId: "s=Ticks",
            dataType: "UInt32",
            value: new Variant({ dataType: DataType.UInt32, value: 0 }),
        }));
    }

    let count = 0;
    const timer = setInterval(() => {
        count++;
        for (const variable of ticks) {
            variable.setValueFromSource(new Variant({ dataType: DataType.UInt32, value: count }));
        }
    }, 100);

    await server.start();
    process.stdout.write(`READY ${server.endpoints[0].port}\n`);

    let stopping = false;
    const stop = async () => {
        if (stopping) return;
        stopping = true;
        clearInterval(timer);
        await server.shutdown(0);
        process.exit(0);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
    process.stdin.on("end", stop);
    process.stdin.resume();
}

main().catch((err) => {
    process.stderr.write(`server failed: ${err && err.stack || err}\n`);
    process.exit(1);
});
