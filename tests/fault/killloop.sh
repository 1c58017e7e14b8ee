#!/usr/bin/env bash
# The kill loop of the fault campaign, on demand (issue 15, item 1): the native AOT gateway killed with SIGKILL
# KILLS times at seeded random moments (some on a WAL checkpoint, some into the drain of a backlog) while it polls
# pymodbus, node-opcua and a simulator and publishes to a persistent mosquitto; then checks that every seq arrived,
# in order per device, and the held alarms stayed raised, and writes the figures into docs/reliability.md.
#   tests/fault/killloop.sh [--kills 100] [--seed N] [--backlog-kib 320] [--native PATH] [--no-docs]
# CI runs the same test with 10 kills and a smaller backlog (tests/run.sh, both builds).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

kills=100; seed=""; backlog=320; native=""; docs=1
while [ $# -gt 0 ]; do
  case "$1" in
    --kills) kills="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --backlog-kib) backlog="$2"; shift 2 ;;
    --native) native="$2"; shift 2 ;;
    --no-docs) docs=0; shift ;;
    *) echo "usage: $0 [--kills N] [--seed N] [--backlog-kib N] [--native PATH] [--no-docs]" >&2; exit 2 ;;
  esac
done
[ -n "$seed" ] || seed=$((RANDOM * 32768 + RANDOM))
echo "killloop: $kills kills, seed $seed (replay with --seed $seed)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -z "$native" ]; then
  case "$(uname -m)" in x86_64) rid=linux-x64 ;; aarch64) rid=linux-arm64 ;; *) echo "no native AOT toolchain for $(uname -m)" >&2; exit 1 ;; esac
  dotnet publish src/Gateway/SmartCity.Edge.Gateway.csproj -c Release -r "$rid" -p:PublishAot=true \
    -p:InvariantGlobalization=true -o "$work/native" --nologo -v q -clp:ErrorsOnly
  native="$work/native/smartcity-edge"
fi
dotnet build tests/SmartCity.Edge.Gateway.Tests -c Release --nologo -v q -clp:ErrorsOnly

status=0
SMARTCITY_EDGE_TEST_BINARY="$native" SMARTCITY_KILLLOOP_KILLS="$kills" SMARTCITY_KILLLOOP_SEED="$seed" \
SMARTCITY_KILLLOOP_BACKLOG_KIB="$backlog" SMARTCITY_KILLLOOP_REPORT="$work/figures.md" \
  dotnet test tests/SmartCity.Edge.Gateway.Tests -c Release --no-build --nologo \
    --filter "FullyQualifiedName~.Service.KillLoopTests" --logger "console;verbosity=detailed" || status=$?

if [ -f "$work/figures.md" ]; then
  cat "$work/figures.md"
  if [ "$docs" -eq 1 ]; then
    # Replace the figures between the markers of docs/reliability.md, keeping the rest of the page.
    /usr/bin/python3 - "$root/docs/reliability.md" "$work/figures.md" <<'PY'
import sys
page, figures = sys.argv[1], open(sys.argv[2]).read().strip()
text = open(page).read()
begin, end = "<!-- killloop:begin -->", "<!-- killloop:end -->"
start, stop = text.index(begin), text.index(end)
open(page, "w").write(text[:start + len(begin)] + "\n" + figures + "\n" + text[stop:])
print(f"wrote the kill loop figures to {page}")
PY
  fi
fi
exit "$status"
