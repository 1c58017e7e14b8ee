#!/usr/bin/env bash
# Builds self-contained, single-folder releases of the gateway (no .NET install needed on the target):
#   deploy/publish.sh                      # all of linux-arm64 linux-arm linux-x64 win-x64
#   deploy/publish.sh linux-arm64          # Raspberry Pi 4/5 with a 64-bit OS
# Output: artifacts/smartcity-edge-<version>-<rid>/ and a .tar.gz (linux) or .zip (windows) beside it.
# The build for this machine's own architecture is native AOT (about half the memory of the JIT build, no JIT
# at start-up: docs/benchmarks.md, service-rss); .NET cannot cross-compile native AOT to another OS or CPU, so
# the other targets are self-contained JIT builds. AOT=0 forces JIT everywhere; build each target on its own
# architecture (e.g. on the Pi itself, or an arm64 CI runner) to get native AOT for all of them.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

rids=("$@")
if [ "${#rids[@]}" -eq 0 ]; then rids=(linux-arm64 linux-arm linux-x64 win-x64); fi
version="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
mkdir -p artifacts
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) host_rid=linux-x64 ;;
  Linux-aarch64) host_rid=linux-arm64 ;;
  *) host_rid="" ;;
esac

failed=()
for rid in "${rids[@]}"; do
  out="artifacts/smartcity-edge-$version-$rid"
  rm -rf "$out"
  aot=false
  if [ "$rid" = "$host_rid" ] && [ "${AOT:-1}" != 0 ]; then aot=true; fi
  echo "publish.sh: $rid -> $out (native AOT: $aot)"
  # Self-contained single folder (not single-file: SQLite's native library stays a plain file, nothing is
  # extracted to a temp dir, which ProtectSystem=strict would forbid). Invariant globalization: the gateway
  # formats with the invariant culture anyway and ICU is not on every image.
  if ! dotnet publish src/Gateway/SmartCity.Edge.Gateway.csproj -c Release -r "$rid" --self-contained true \
    -p:PublishAot=$aot -p:PublishSingleFile=false -p:InvariantGlobalization=true -p:DebugType=none \
    -p:GenerateDocumentationFile=false -o "$out" --nologo -v q; then
    echo "publish.sh: $rid FAILED (see above; e.g. the package feed lacks that runtime pack)"
    failed+=("$rid")
    continue
  fi
  mkdir -p "$out/deploy" "$out/docs"
  cp deploy/install.sh deploy/gateway.example.yaml "$out/deploy/"
  cp -r deploy/systemd "$out/deploy/"
  cp docs/service.md "$out/docs/"
  case "$rid" in
    win-*) (cd artifacts && rm -f "$(basename "$out").zip" && { command -v zip >/dev/null && zip -qr "$(basename "$out").zip" "$(basename "$out")" || echo "publish.sh: zip not installed; folder left as is"; }) ;;
    *) tar -C artifacts -czf "$out.tar.gz" "$(basename "$out")" ;;
  esac
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "publish.sh: failed for ${failed[*]}"
  exit 1
fi
echo "publish.sh: done"
