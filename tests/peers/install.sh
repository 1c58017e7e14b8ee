#!/usr/bin/env bash
# Installs the real protocol peers the integration tests talk to, when they are missing.
# Idempotent; uses sudo for apt-get when not run as root. See ../../docs/testing.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

need_apt=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need_apt+=(mosquitto)
command -v mosquitto_sub >/dev/null 2>&1 || need_apt+=(mosquitto-clients)
/usr/bin/python3 -c "import pymodbus, serial, serial_asyncio" >/dev/null 2>&1 || need_apt+=(python3-pymodbus python3-serial python3-serial-asyncio)
pkg-config --exists libmodbus 2>/dev/null || need_apt+=(libmodbus-dev pkg-config)
command -v socat >/dev/null 2>&1 || need_apt+=(socat)
command -v gcc >/dev/null 2>&1 || need_apt+=(gcc)
# The native AOT build (tests/run.sh runs the real-binary tests on it too) links with gcc or clang and zlib.
[ -f /usr/include/zlib.h ] || need_apt+=(zlib1g-dev)
# Service tests: the status page in headless Chromium, /metrics checked by the reference Python parser.
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium fonts-dejavu-core)
/usr/bin/python3 -c "import prometheus_client" >/dev/null 2>&1 || need_apt+=(python3-prometheus-client)
# HttpSecurityTests: a real Prometheus scrapes /metrics with a bearer token (authorization: credentials_file).
command -v prometheus >/dev/null 2>&1 || need_apt+=(prometheus)
command -v systemd-analyze >/dev/null 2>&1 || need_apt+=(systemd)
# Signed command tests: tokens made by PyJWT (tests/peers/jwt/sign.py), the independent JWS implementation.
/usr/bin/python3 -c "import jwt, cryptography" >/dev/null 2>&1 || need_apt+=(python3-jwt python3-cryptography)
# Operator-write tests: an independent Modbus master reads back what the gateway wrote.
command -v mbpoll >/dev/null 2>&1 || need_apt+=(mbpoll)
# MemoryDenyWriteExecuteTests: systemd's W^X seccomp filter, installed through libseccomp's Python bindings.
/usr/bin/python3 -c "import seccomp" >/dev/null 2>&1 || need_apt+=(python3-seccomp)
# SNMP: net-snmp agent, trap receiver and command-line tools (snmpget/snmpwalk/snmptrap/snmpinform), snmpsim.
[ -x /usr/sbin/snmpd ] || need_apt+=(snmpd)
[ -x /usr/sbin/snmptrapd ] || need_apt+=(snmptrapd)
command -v snmpget >/dev/null 2>&1 || need_apt+=(snmp)
command -v snmpsimd >/dev/null 2>&1 || need_apt+=(snmpsim)

if [ "${#need_apt[@]}" -gt 0 ]; then
  echo "install.sh: installing ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# npm peers, each pinned by its package-lock.json and installed into its own node_modules: npm_ci FOLDER PACKAGE
# runs `npm ci` in tests/peers/FOLDER unless PACKAGE is already there.
npm_ci() {
  if [ -f "$here/$1/package.json" ] && [ ! -d "$here/$1/node_modules/$2" ]; then
    if ! command -v npm >/dev/null 2>&1; then
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
    fi
    echo "install.sh: npm ci in tests/peers/$1"
    (cd "$here/$1" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
npm_ci opcua node-opcua
# The Sparkplug B host application: npm mqtt + Tahu's JavaScript codec sparkplug-payload.
npm_ci sparkplug sparkplug-payload

# Small C peers built from our own sources (e.g. the libmodbus server).
if [ -f "$here/modbus/Makefile" ]; then
  make -s -C "$here/modbus"
fi
