#!/usr/bin/env bash
# Builds self-contained, single-folder releases of the gateway (no .NET install needed on the target):
#   deploy/publish.sh                      # all of linux-arm64 linux-arm linux-x64 win-x64
#   deploy/publish.sh linux-arm64          # Raspberry Pi 4/5 with a 64-bit OS
# Output: artifacts/smartcity-edge-<version>-<rid>/ and a .tar.gz (linux) or .zip (windows) beside it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

rids=("$@")
if [ "${#rids[@]}" -eq 0 ]; then rids=(linux-arm64 linux-arm linux-x64 win-x64); fi
version="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
mkdir -p artifacts

for rid in "${rids[@]}"; do
  out="artifacts/smartcity-edge-$version-$rid"
  rm -rf "$out"
  echo "publish.sh: $rid -> $out"
  # Self-contained single folder (not single-file: SQLite's native library stays a plain file, nothing is
  # extracted to a temp dir, which ProtectSystem=strict would forbid). Invariant globalization: the gateway
  # formats with the invariant culture anyway and ICU is not on every image.
  dotnet publish src/Gateway/SmartCity.Edge.Gateway.csproj -c Release -r "$rid" --self-contained true \
    -p:PublishSingleFile=false -p:InvariantGlobalization=true -p:DebugType=none -p:GenerateDocumentationFile=false \
    -o "$out" --nologo -v q
  mkdir -p "$out/deploy" "$out/docs"
  cp deploy/install.sh deploy/gateway.example.yaml "$out/deploy/"
  cp -r deploy/systemd "$out/deploy/"
  cp docs/service.md "$out/docs/"
  case "$rid" in
    win-*) (cd artifacts && rm -f "$(basename "$out").zip" && { command -v zip >/dev/null && zip -qr "$(basename "$out").zip" "$(basename "$out")" || echo "publish.sh: zip not installed; folder left as is"; }) ;;
    *) tar -C artifacts -czf "$out.tar.gz" "$(basename "$out")" ;;
  esac
done
echo "publish.sh: done"
