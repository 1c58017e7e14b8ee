#!/usr/bin/env bash
# Coverage-guided fuzzing of one target with libFuzzer and SharpFuzz (docs/reliability.md, "Fuzzing").
#
#   tests/fuzz/run.sh TARGET [--runs N] [--max-len BYTES] [--minimize] [--reuse-build]
#
# TARGET: modbus-tcp | modbus-rtu | opcua-chunk | opcua-binary | config | snmp-message | snmp-trap | command-token
# (tests/fuzz/SmartCity.Edge.Fuzz/FuzzTargets.cs).
# Builds the libFuzzer bridge (clang with -fsanitize=fuzzer, libclang-rt-dev), publishes the fuzzing project,
# instruments our assemblies and YamlDotNet with the sharpfuzz tool, then runs libFuzzer for N executions (default
# 1,000,000) on a working corpus seeded from tests/fuzz/corpus/TARGET. Crashes land in tests/fuzz/.work/crashes/
# (replay one with: SMARTCITY_FUZZ_TARGET=TARGET dotnet tests/fuzz/.work/out/SmartCity.Edge.Fuzz.dll FILE). --minimize merges what was
# found into a minimal set and replaces tests/fuzz/corpus/TARGET with it (commit that; CI replays it).
# --reuse-build skips the publish and instrumentation when tests/fuzz/.work/out holds an instrumented build (one
# build serves every target: run the targets one after the other with it).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
fuzz="$root/tests/fuzz"
work="$fuzz/.work"

target="${1:-}"
shift || true
runs=1000000
max_len=4096
minimize=0
reuse=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --max-len) max_len="$2"; shift 2 ;;
    --minimize) minimize=1; shift ;;
    --reuse-build) reuse=1; shift ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$target" in
  modbus-tcp|modbus-rtu|opcua-chunk|opcua-binary|config|snmp-message|snmp-trap|command-token) ;;
  *) echo "usage: tests/fuzz/run.sh modbus-tcp|modbus-rtu|opcua-chunk|opcua-binary|config|snmp-message|snmp-trap|command-token [--runs N] [--max-len BYTES] [--minimize] [--reuse-build]" >&2; exit 2 ;;
esac

# libFuzzer: clang plus its runtime (Debian: clang-14 and libclang-rt-14-dev).
clang=""
for candidate in clang clang-14 clang-15 clang-16; do
  if command -v "$candidate" >/dev/null; then clang="$candidate"; break; fi
done
if [ -z "$clang" ] || ! echo 'int LLVMFuzzerTestOneInput(const char*d,long n){return 0;}' | "$clang" -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then
  echo "run.sh: installing clang and the libFuzzer runtime (apt-get install clang-14 libclang-rt-14-dev)" >&2
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -q >/dev/null
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang-14 libclang-rt-14-dev >/dev/null
  clang=clang-14
fi

mkdir -p "$work"
bridge="$work/libfuzzer-dotnet"
if [ ! -x "$bridge" ] || [ "$fuzz/libfuzzer-dotnet.c" -nt "$bridge" ]; then
  "$clang" -O2 -Wall -Werror -fsanitize=fuzzer "$fuzz/libfuzzer-dotnet.c" -o "$bridge"
fi

# The sharpfuzz instrumentation tool (NuGet: SharpFuzz.CommandLine), in a local tool folder.
tools="$work/tools"
if [ ! -x "$tools/sharpfuzz" ]; then
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$tools" >/dev/null
fi

# A fresh publish each run (instrumenting an assembly twice fails), unless --reuse-build finds a finished one.
out="$work/out"
if [ "$reuse" -eq 0 ] || [ ! -f "$out/.instrumented" ]; then
  rm -rf "$out"
  dotnet publish "$fuzz/SmartCity.Edge.Fuzz/SmartCity.Edge.Fuzz.csproj" -c Release -o "$out" --nologo -v q -clp:ErrorsOnly
  for assembly in SmartCity.Edge.Drivers.dll smartcity-edge.dll YamlDotNet.dll; do
    # The tool targets an older .NET; let it run on the installed one.
    DOTNET_ROLL_FORWARD=Major "$tools/sharpfuzz" "$out/$assembly" >/dev/null
  done
  touch "$out/.instrumented"
fi

seeds="$fuzz/corpus/$target"
corpus="$work/corpus/$target"
crashes="$work/crashes/$target"
mkdir -p "$seeds" "$corpus" "$crashes"
echo "run.sh: fuzzing $target for $runs executions (seed corpus $(find "$seeds" -type f | wc -l) files)"
SMARTCITY_FUZZ_TARGET="$target" "$bridge" -runs="$runs" -max_len="$max_len" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
  -artifact_prefix="$crashes/" --target_path=dotnet --target_arg="$out/SmartCity.Edge.Fuzz.dll" "$corpus" "$seeds"

if [ "$minimize" -eq 1 ]; then
  minimized="$work/minimized/$target"
  rm -rf "$minimized"; mkdir -p "$minimized"
  SMARTCITY_FUZZ_TARGET="$target" "$bridge" -merge=1 -max_len="$max_len" --target_path=dotnet --target_arg="$out/SmartCity.Edge.Fuzz.dll" "$minimized" "$corpus" "$seeds"
  rm -rf "$seeds"; mkdir -p "$seeds"
  cp "$minimized"/* "$seeds"/ 2>/dev/null || true
  echo "run.sh: tests/fuzz/corpus/$target now holds $(find "$seeds" -type f | wc -l) files"
fi
