// node-opcua test server for the SmartCity.Edge OPC UA client tests and benchmark.
// usage: node server.js PORT PKI_DIR [--bench] [--legacy-rsa15]
//   --legacy-rsa15 also offers the deprecated Basic128Rsa15 policy; node must then run with
//   --security-revert=CVE-2023-46809, since Node.js refuses RSA PKCS#1 v1.5 decryption by default (the test fixture
//   does so only for that server instance).
// Prints "READY <port>" on stdout once listening; stops on SIGTERM/SIGINT.
// Every value below is also written in the C# tests (OpcUaServerValues.cs): change both together.
"use strict";
const path = require("path");
const {
    OPCUAServer, OPCUACertificateManager, Variant, DataType, VariantArrayType,
    StatusCodes, MessageSecurityMode, SecurityPolicy, nodesets, coerceNodeId, LocalizedText
} = require("node-opcua");

const port = parseInt(process.argv[2] || "0", 10);
const pki = process.argv[3] || path.join(require("os").tmpdir(), "smartcity-edge-opcua-pki");
const bench = process.argv.includes("--bench");
const legacyRsa15 = process.argv.includes("--legacy-rsa15");

function int64(big) {
    const u = BigInt.asUintN(64, BigInt(big));
    return [Number(u >> 32n), Number(u & 0xffffffffn)];
}

// One entry per built-in type: [name, DataType, scalar, array]
const types = [
    ["Boolean", DataType.Boolean, true, [true, false, true]],
    ["SByte", DataType.SByte, -100, [-128, 0, 127]],
    ["Byte", DataType.Byte, 200, [0, 128, 255]],
    ["Int16", DataType.Int16, -30000, [-32768, 0, 32767]],
    ["UInt16", DataType.UInt16, 60000, [0, 1, 65535]],
    ["Int32", DataType.Int32, -2000000000, [-2147483648, 0, 2147483647]],
    ["UInt32", DataType.UInt32, 4000000000, [0, 1, 4294967295]],
    ["Int64", DataType.Int64, int64("-1234567890123"), [int64("-9223372036854775808"), int64("0"), int64("9223372036854775807")]],
    ["UInt64", DataType.UInt64, int64("18000000000000000000"), [int64("0"), int64("1"), int64("18446744073709551615")]],
    ["Float", DataType.Float, 3.5, [-1.5, 0, 2.25]],
    ["Double", DataType.Double, 3.14159, [-1e300, 0, 6.02214076e23]],
    ["String", DataType.String, "Grüße, Park", ["a", "", "Tür"]],
    ["DateTime", DataType.DateTime, new Date(Date.UTC(2024, 4, 6, 7, 8, 9, 123)), [new Date(Date.UTC(2020, 0, 1)), new Date(Date.UTC(2030, 11, 31, 23, 59, 59))]],
    ["Guid", DataType.Guid, "72962B91-FA75-4AE6-8D28-B404DC7DAF63", ["00000000-0000-0000-0000-000000000001", "72962B91-FA75-4AE6-8D28-B404DC7DAF63"]],
    ["ByteString", DataType.ByteString, Buffer.from([1, 2, 3, 255]), [Buffer.from([0]), Buffer.from([9, 8])]],
    ["XmlElement", DataType.XmlElement, "<a>1</a>", ["<b/>", "<c>2</c>"]],
    ["NodeId", DataType.NodeId, coerceNodeId("ns=1;s=Park"), [coerceNodeId("i=85"), coerceNodeId("ns=1;i=4711")]],
    ["StatusCode", DataType.StatusCode, StatusCodes.BadOutOfRange, [StatusCodes.Good, StatusCodes.UncertainInitialValue]],
    ["QualifiedName", DataType.QualifiedName, { namespaceIndex: 1, name: "Door" }, [{ namespaceIndex: 0, name: "A" }, { namespaceIndex: 2, name: "B" }]],
    ["LocalizedText", DataType.LocalizedText, new LocalizedText({ locale: "en", text: "Open" }), [new LocalizedText({ locale: "de", text: "Offen" }), new LocalizedText({ text: "x" })]],
];

async function main() {
    const serverCertificateManager = new OPCUACertificateManager({
        rootFolder: path.join(pki, "server"),
        automaticallyAcceptUnknownCertificate: true,
    });
    const userCertificateManager = new OPCUACertificateManager({
        rootFolder: path.join(pki, "user"),
        automaticallyAcceptUnknownCertificate: true,
    });
    const server = new OPCUAServer({
        port,
        hostname: "127.0.0.1",
        nodeset_filename: [nodesets.standard],
        serverCertificateManager,
        userCertificateManager,
        // Basic256Sha256 must be listed for node-opcua to offer encrypted UserName tokens on the None endpoint; the
        // Aes policies and the deprecated Basic256 are for the security tests (OpcUaSecurityTests). Basic128Rsa15 only with
        // --legacy-rsa15 (OpcUaBasic128Rsa15Tests): Node.js refuses RSA PKCS#1 v1.5 decryption since CVE-2023-46809
        // unless started with --security-revert=CVE-2023-46809.
        securityModes: [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
        securityPolicies: [
            SecurityPolicy.None, SecurityPolicy.Basic256Sha256, SecurityPolicy.Aes128_Sha256_RsaOaep, SecurityPolicy.Aes256_Sha256_RsaPss, SecurityPolicy.Basic256,
            ...(legacyRsa15 ? [SecurityPolicy.Basic128Rsa15] : []),
        ],
        allowAnonymous: true,
        userManager: { isValidUser: (user, password) => user === "technician" && password === "s3cret" },
        serverCapabilities: { maxSessions: 50, operationLimits: { maxNodesPerRead: 250, maxNodesPerBrowse: 100, maxNodesPerWrite: 250 } },
        maxConnectionsPerEndpoint: 50,
    });
    await server.initialize();
    const addressSpace = server.engine.addressSpace;
    const ns = addressSpace.getOwnNamespace();
    const objects = addressSpace.rootFolder.objects;

    // Scalars.<Type> and Arrays.<Type>: one variable per built-in type.
    const scalars = ns.addFolder(objects, { browseName: "Scalars", nodeId: "s=Scalars" });
    const arrays = ns.addFolder(objects, { browseName: "Arrays", nodeId: "s=Arrays" });
    for (const [name, dataType, scalar, array] of types) {
        ns.addVariable({
            componentOf: scalars, browseName: name, nodeId: `s=Scalars.${name}`, dataType: DataType[dataType],
            value: new Variant({ dataType, arrayType: VariantArrayType.Scalar, value: scalar }),
        });
        ns.addVariable({
            componentOf: arrays, browseName: name, nodeId: `s=Arrays.${name}`, dataType: DataType[dataType], valueRank: 1,
            value: new Variant({ dataType, arrayType: VariantArrayType.Array, value: array }),
        });
    }
    ns.addVariable({
        componentOf: arrays, browseName: "Matrix", nodeId: "s=Arrays.Matrix", dataType: "Double", valueRank: 2, arrayDimensions: [2, 3],
        value: new Variant({ dataType: DataType.Double, arrayType: VariantArrayType.Matrix, dimensions: [2, 3], value: [1, 2, 3, 4, 5, 6] }),
    });

    // Park/Building1/Door1/Open ...: a folder tree for browse and browse-path tests.
    const park = ns.addFolder(objects, { browseName: "Park", nodeId: "s=Park" });
    for (const b of [1, 2]) {
        const building = ns.addFolder(park, { browseName: `Building${b}`, nodeId: `s=Park.Building${b}` });
        for (const d of [1, 2, 3]) {
            const door = ns.addFolder(building, { browseName: `Door${d}`, nodeId: `s=Park.Building${b}.Door${d}` });
            ns.addVariable({
                componentOf: door, browseName: "Open", nodeId: `s=Park.Building${b}.Door${d}.Open`, dataType: "Boolean",
                value: new Variant({ dataType: DataType.Boolean, value: (b + d) % 2 === 0 }),
            });
        }
    }

    // Dynamic values on timers for subscription tests.
    const dynamic = ns.addFolder(objects, { browseName: "Dynamic", nodeId: "s=Dynamic" });
    const counter = ns.addVariable({
        componentOf: dynamic, browseName: "Counter", nodeId: "s=Dynamic.Counter", dataType: "Int32",
        value: new Variant({ dataType: DataType.Int32, value: 0 }),
    });
    const ramp = ns.addVariable({
        componentOf: dynamic, browseName: "Ramp", nodeId: "s=Dynamic.Ramp", dataType: "Double",
        value: new Variant({ dataType: DataType.Double, value: 0 }),
    });
    const level = ns.addAnalogDataItem({
        componentOf: dynamic, browseName: "Level", nodeId: "s=Dynamic.Level", dataType: "Double",
        engineeringUnitsRange: { low: 0, high: 100 },
        value: new Variant({ dataType: DataType.Double, value: 0 }),
    });
    let tick = 0;
    const timer = setInterval(() => {
        tick++;
        counter.setValueFromSource(new Variant({ dataType: DataType.Int32, value: tick }));
        ramp.setValueFromSource(new Variant({ dataType: DataType.Double, value: tick * 0.25 }));
        level.setValueFromSource(new Variant({ dataType: DataType.Double, value: tick % 100 }));
    }, 50);

    // Alarms: exclusive limit alarms on Alarms.Temperature (high limit 80), active from the start (95) so a
    // ConditionRefresh always reports it, and on Alarms.Pressure; Alarms is an event notifier of the Server object.
    addressSpace.installAlarmsAndConditionsService();
    const alarmsFolder = ns.addObject({
        organizedBy: objects, browseName: "Alarms", nodeId: "s=Alarms", eventNotifier: 1,
        notifierOf: addressSpace.rootFolder.objects.server,
    });
    // Both inputs are writable: a test raises and clears an alarm by writing its input over OPC UA.
    // Pressure (PressureAlarm, high limit 80) starts at 20, inactive: tests that raise it put it back to 20.
    const limitAlarm = (name, initial) => {
        const input = ns.addVariable({
            componentOf: alarmsFolder, browseName: name, nodeId: `s=Alarms.${name}`, dataType: "Double",
            accessLevel: "CurrentRead | CurrentWrite", userAccessLevel: "CurrentRead | CurrentWrite",
            eventSourceOf: alarmsFolder, value: new Variant({ dataType: DataType.Double, value: 20 }),
        });
        ns.instantiateExclusiveLimitAlarm("ExclusiveLimitAlarmType", {
            browseName: `${name}Alarm`, nodeId: `s=Alarms.${name}Alarm`, componentOf: alarmsFolder,
            conditionSource: input, inputNode: input, highLimit: 80, lowLimit: 10,
        });
        input.setValueFromSource(new Variant({ dataType: DataType.Double, value: initial }));
    };
    limitAlarm("Temperature", 95);
    limitAlarm("Pressure", 20);

    const writable = ns.addFolder(objects, { browseName: "Writable", nodeId: "s=Writable" });
    ns.addVariable({
        componentOf: writable, browseName: "Double", nodeId: "s=Writable.Double", dataType: "Double",
        accessLevel: "CurrentRead | CurrentWrite", userAccessLevel: "CurrentRead | CurrentWrite",
        value: new Variant({ dataType: DataType.Double, value: 0 }),
    });
    // Operator-write tests: a UInt16 to write (and to refuse 70000 for), and a read-only variable whose writes the
    // server refuses with BadNotWritable.
    ns.addVariable({
        componentOf: writable, browseName: "UInt16", nodeId: "s=Writable.UInt16", dataType: "UInt16",
        accessLevel: "CurrentRead | CurrentWrite", userAccessLevel: "CurrentRead | CurrentWrite",
        value: new Variant({ dataType: DataType.UInt16, value: 0 }),
    });
    ns.addVariable({
        componentOf: writable, browseName: "ReadOnly", nodeId: "s=Writable.ReadOnly", dataType: "Double",
        accessLevel: "CurrentRead", userAccessLevel: "CurrentRead",
        value: new Variant({ dataType: DataType.Double, value: 42 }),
    });

    // Bench.N0000..N0999: many nodes for the Read benchmark; with --bench all 1,000 change every 50 ms.
    const benchFolder = ns.addFolder(objects, { browseName: "Bench", nodeId: "s=Bench" });
    const benchVars = [];
    for (let i = 0; i < 1000; i++) {
        const id = String(i).padStart(4, "0");
        benchVars.push(ns.addVariable({
            componentOf: benchFolder, browseName: `N${id}`, nodeId: `s=Bench.N${id}`, dataType: "Double",
            value: new Variant({ dataType: DataType.Double, value: i }),
        }));
    }
    let benchTimer = null;
    if (bench) {
        let n = 0;
        benchTimer = setInterval(() => {
            n++;
            for (let i = 0; i < benchVars.length; i++) {
                benchVars[i].setValueFromSource(new Variant({ dataType: DataType.Double, value: n + i }));
            }
        }, 50);
    }

    await server.start();
    process.stdout.write(`READY ${server.endpoints[0].port}\n`);

    let stopping = false;
    const stop = async () => {
        if (stopping) return;
        stopping = true;
        clearInterval(timer);
        if (benchTimer) clearInterval(benchTimer);
        await server.shutdown(0);
        process.exit(0);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
    // The test fixture closes our stdin when it goes away: never outlive it.
    process.stdin.on("end", stop);
    process.stdin.resume();
}

main().catch((err) => {
    process.stderr.write(`server failed: ${err && err.stack || err}\n`);
    process.exit(1);
});
