#!/usr/bin/python3
"""Modbus test peer on pymodbus 3.0 (Debian python3-pymodbus), for SmartCity.Edge's Modbus tests.

Serves the fixture layout described in layout.md (the same values as libmodbus_server.c), counts requests
and prints one line per request on stdout, so a test can compare what the driver sent with its plan:

    READY port=<port>                 once listening (TCP) or once the serial port is open (RTU)
    REQ fc=<fc> addr=<address> count=<n> ok=<1|0>

Usage:
    pymodbus_server.py tcp [PORT]              Modbus TCP (MBAP), PORT 0 or absent = a free port
    pymodbus_server.py rtu-over-tcp [PORT]     RTU frames (CRC) on a TCP socket
    pymodbus_server.py rtu DEVICE              RTU on a serial device (e.g. one end of a socat pty pair)
Units 1 and 2 answer (each its own copy of the layout); others get no reply, as pymodbus does.
Holding register 980 counts the reads that cover it (per unit), so every poll of it sees a new value.
Read Device Identification (FC 43/14) answers with IDENTITY below (pymodbus keeps one identity per server, not
per unit); requests for it print no REQ line.
Options: --quiet (no REQ lines); --units 1,2,3 (the unit ids that answer, default 1,2)

Run it with /usr/bin/python3: a pyenv python on PATH cannot see Debian's packages.
"""
import asyncio
import logging
import struct
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.device import ModbusDeviceIdentification
from pymodbus.framer.rtu_framer import ModbusRtuFramer
from pymodbus.framer.socket_framer import ModbusSocketFramer
from pymodbus.server.async_io import ModbusSerialServer, ModbusTcpServer

HOLE = 505  # holding register that does not exist: reads covering it get exception 02
READ_COUNTER = 980  # holding register that goes up by one on every read covering it

ORDERS = ["ABCD", "CDAB", "BADC", "DCBA"]


def reorder(data: bytes, order: str) -> bytes:
    """Big-endian bytes -> the device's byte order (names as Telegraf uses them, extended to 64 bits)."""
    if order == "ABCD":
        return data
    if order == "DCBA":
        return data[::-1]
    words = [data[i:i + 2] for i in range(0, len(data), 2)]
    if order == "BADC":
        return b"".join(w[::-1] for w in words)
    if order == "CDAB":
        return b"".join(reversed(words))
    raise ValueError(order)


def registers(data: bytes):
    return [struct.unpack(">H", data[i:i + 2])[0] for i in range(0, len(data), 2)]


def build_holding():
    regs = [0] * 1000
    regs[0] = struct.unpack(">H", struct.pack(">h", -12345))[0]
    regs[1] = 54321
    regs[2] = 0x0008  # bit 3 set: holding:2.3 is true, holding:2.2 false
    text = b"SENSOR-42\x00"
    regs[10:15] = registers(text)
    for k, order in enumerate(ORDERS):
        base = 100 + 40 * k
        regs[base:base + 2] = registers(reorder(struct.pack(">i", -123456789), order))
        regs[base + 2:base + 4] = registers(reorder(struct.pack(">I", 3456789012), order))
        regs[base + 4:base + 6] = registers(reorder(struct.pack(">f", -1234.5), order))
        regs[base + 6:base + 10] = registers(reorder(struct.pack(">q", -1234567890123456789), order))
        regs[base + 10:base + 14] = registers(reorder(struct.pack(">Q", 12345678901234567890), order))
        regs[base + 14:base + 18] = registers(reorder(struct.pack(">d", 3.14159265358979), order))
    for a in range(500, 510):
        regs[a] = a * 10
    return regs


def build_input():
    regs = [0] * 1000
    regs[0] = 4321
    regs[2:4] = registers(struct.pack(">f", 21.5))
    return regs


class CountingContext(ModbusSlaveContext):
    """validate() runs once per request before the reply is built: count there."""

    def __init__(self, quiet, **kwargs):
        super().__init__(**kwargs)
        self.quiet = quiet

    def validate(self, fc_as_hex, address, count=1):
        ok = super().validate(fc_as_hex, address, count)
        if fc_as_hex in (3, 6, 16) and address <= HOLE < address + count:
            ok = False
        if not self.quiet:
            print(f"REQ fc={fc_as_hex} addr={address} count={count} ok={int(ok)}", flush=True)
        return ok

    def getValues(self, fc_as_hex, address, count=1):
        if fc_as_hex == 3 and address <= READ_COUNTER < address + count:
            current = super().getValues(3, READ_COUNTER, 1)[0]
            super().setValues(3, READ_COUNTER, [(current + 1) % 65536])
        return super().getValues(fc_as_hex, address, count)


def make_slave(quiet):
    return CountingContext(
        quiet,
        co=ModbusSequentialDataBlock(0, [n % 3 == 0 for n in range(1000)]),
        di=ModbusSequentialDataBlock(0, [n % 2 == 1 for n in range(1000)]),
        hr=ModbusSequentialDataBlock(0, build_holding()),
        ir=ModbusSequentialDataBlock(0, build_input()),
        zero_mode=True,  # addresses on the wire are 0-based; without this pymodbus adds 1
    )


# Read Device Identification (FC 43/14): the seven standard objects and private ones (0x80+), one binary. Extended
# reads total more than the 246 object bytes one reply can carry, so pymodbus answers them with "more follows".
IDENTITY = {
    0x00: "SmartCity Test Peers",
    0x01: "SC-PYM-1",
    0x02: "3.0.7",
    0x03: "https://example.invalid/pymodbus",
    0x04: "pymodbus identity peer",
    0x05: "PY-TCP-RTU",
    0x06: "layout.md fixture",
    0x80: bytes([0x00, 0x01, 0x7F, 0xFF]),
    0x81: "serial=PY-0001",
    0x82: "A" * 60,
    0x83: "B" * 60,
    0x84: "C" * 60,
    0x85: "D" * 60,
}


def make_identity():
    return ModbusDeviceIdentification(info=IDENTITY)


def make_context(quiet, units):
    # By default units 1 and 2, each with its own copy of the layout: a gateway with two devices behind it.
    return ModbusServerContext(slaves={unit: make_slave(quiet) for unit in units}, single=False)


async def main(argv):
    logging.getLogger("pymodbus").setLevel(logging.CRITICAL)  # its per-connection noise is not ours
    quiet = "--quiet" in argv
    args = [a for a in argv if a != "--quiet"]
    units = [1, 2]
    if "--units" in args:
        at = args.index("--units")
        units = [int(u) for u in args[at + 1].split(",")]
        del args[at:at + 2]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    mode = args[0]
    context = make_context(quiet, units)
    if mode in ("tcp", "rtu-over-tcp"):
        port = int(args[1]) if len(args) > 1 else 0
        framer = ModbusSocketFramer if mode == "tcp" else ModbusRtuFramer
        server = ModbusTcpServer(context, framer=framer, identity=make_identity(), address=("127.0.0.1", port), allow_reuse_address=True)
        task = asyncio.create_task(server.serve_forever())
        await server.serving
        bound = server.server.sockets[0].getsockname()[1]
        print(f"READY port={bound}", flush=True)
        await task
    elif mode == "rtu":
        # The serial server defaults to the ASCII framer in 3.0: pass RTU explicitly.
        server = ModbusSerialServer(context, framer=ModbusRtuFramer, identity=make_identity(), port=args[1], baudrate=19200, timeout=0.005)
        await server.start()
        if server.transport is None:
            print(f"cannot open {args[1]}", file=sys.stderr, flush=True)
            return 1
        print("READY port=0", flush=True)
        while True:
            await asyncio.sleep(3600)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
