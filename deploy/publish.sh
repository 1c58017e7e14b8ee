#!/usr/bin/env bash
# Builds self-contained, single-folder releases of the gateway (no .NET install needed on the target):
#   deploy/publish.sh                      # all of linux-arm64 linux-arm linux-x64 win-x64
#   deploy/publish.sh linux-arm64          # Raspberry Pi 4/5 with a 64-bit OS
# Output: artifacts/smartcity-edge-<version>-<rid>/ and a .tar.gz (linux) or .zip (windows) beside it.
# The build for this machine's own architecture is native AOT (about half the memory of the JIT build, no JIT
# at start-up: docs/benchmarks.md, service-rss). On an x64 Linux machine linux-arm64 is native AOT too when the
# arm64 cross toolchain is installed (deploy/install-cross-arm64.sh; probed below, else the JIT build and a hint).
# .NET cannot cross-compile native AOT to another OS, so the other targets (linux-arm, win-x64) are self-contained
# JIT builds. AOT=0 forces JIT everywhere; CROSS_CLANG=clang-N picks the clang that links for arm64.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

rids=("$@")
if [ "${#rids[@]}" -eq 0 ]; then rids=(linux-arm64 linux-arm linux-x64 win-x64); fi
version="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
# MSBuild turns environment variables into properties: VERSION=rc1 would become $(Version) and fail the restore
# ("RestoreTask returned false but did not log an error"). It names the artifacts only.
unset VERSION
mkdir -p artifacts
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) host_rid=linux-x64 ;;
  Linux-aarch64) host_rid=linux-arm64 ;;
  *) host_rid="" ;;
esac

# Can this machine link for linux-arm64? Tries exactly what the native AOT link needs: a C program linked by clang
# for aarch64-linux-gnu with the bfd linker (the ILCompiler default), plus the arm64 objcopy that strips the binary.
arm64_probed=""
arm64_clang=""
arm64_missing=""
probe_cross_arm64() {
  local candidates=() c dir
  if [ -n "${CROSS_CLANG:-}" ]; then
    candidates=("$CROSS_CLANG")
  else
    candidates=(clang)
    mapfile -t -O 1 candidates < <(compgen -c clang- | grep -E '^clang-[0-9]+$' | sort -u -t- -k2,2nr)
  fi
  if ! command -v aarch64-linux-gnu-objcopy >/dev/null; then
    arm64_missing="no aarch64-linux-gnu-objcopy"
    return
  fi
  arm64_missing="no clang on PATH"
  dir="$(mktemp -d)"
  for c in "${candidates[@]}"; do
    command -v "$c" >/dev/null || continue
    if printf 'int main(void) { return 0; }\n' |
      "$c" --target=aarch64-linux-gnu -fuse-ld=bfd -x c - -o "$dir/probe" 2>"$dir/err"; then
      arm64_clang="$c"
      break
    fi
    arm64_missing="$c cannot link for aarch64-linux-gnu: $(grep -m1 -E 'error|cannot' "$dir/err" || head -n1 "$dir/err")"
  done
  rm -rf "$dir"
}

# The executable and SQLite's native library must be built for the target CPU (ELF e_machine, offset 18): a
# wrong-architecture libe_sqlite3.so would only fail on the device, when the buffer opens.
check_machine() {
  local rid="$1" out="$2" want f got
  case "$rid" in
    linux-x64) want="3e 00" ;;
    linux-arm64) want="b7 00" ;;
    linux-arm) want="28 00" ;;
    *) return 0 ;;
  esac
  for f in "$out/smartcity-edge" "$out/libe_sqlite3.so"; do
    got="$(od -An -tx1 -j18 -N2 "$f" 2>/dev/null | xargs)"
    if [ "$got" != "$want" ]; then
      echo "publish.sh: $rid FAILED: $f has ELF machine '${got:-missing}', expected '$want'"
      return 1
    fi
  done
}

failed=()
for rid in "${rids[@]}"; do
  out="artifacts/smartcity-edge-$version-$rid"
  rm -rf "$out"
  aot=false
  cross=()
  if [ "${AOT:-1}" != 0 ]; then
    if [ "$rid" = "$host_rid" ]; then
      aot=true
    elif [ "$rid" = linux-arm64 ] && [ "$host_rid" = linux-x64 ]; then
      if [ -z "$arm64_probed" ]; then probe_cross_arm64; arm64_probed=1; fi
      if [ -n "$arm64_clang" ]; then
        aot=true
        # The ILCompiler targets add --target=aarch64-linux-gnu and -fuse-ld=bfd themselves; clang then finds
        # the cross C runtime in /usr/aarch64-linux-gnu and libgcc in /usr/lib/gcc-cross/aarch64-linux-gnu.
        cross=(-p:CppCompilerAndLinker="$arm64_clang" -p:ObjCopyName=aarch64-linux-gnu-objcopy)
        echo "publish.sh: $rid: cross-compiling native AOT with $arm64_clang --target=aarch64-linux-gnu," \
          "aarch64-linux-gnu-ld/objcopy and the arm64 C runtime in /usr/aarch64-linux-gnu"
      else
        echo "publish.sh: $rid: no arm64 cross toolchain ($arm64_missing); building the self-contained JIT build."
        echo "publish.sh:   for native AOT: sudo deploy/install-cross-arm64.sh" \
          "(apt-get install clang binutils-aarch64-linux-gnu gcc-aarch64-linux-gnu libc6-dev-arm64-cross)"
      fi
    fi
  fi
  echo "publish.sh: $rid -> $out (native AOT: $aot)"
  # Self-contained single folder (not single-file: SQLite's native library stays a plain file, nothing is
  # extracted to a temp dir, which ProtectSystem=strict would forbid). Invariant globalization: the gateway
  # formats with the invariant culture anyway and ICU is not on every image.
  if ! dotnet publish src/Gateway/SmartCity.Edge.Gateway.csproj -c Release -r "$rid" --self-contained true \
    -p:PublishAot=$aot -p:PublishSingleFile=false -p:InvariantGlobalization=true -p:DebugType=none \
    -p:GenerateDocumentationFile=false ${cross[@]+"${cross[@]}"} -o "$out" --nologo -v q; then
    echo "publish.sh: $rid FAILED (see above; e.g. the package feed lacks that runtime pack)"
    if [ "${#cross[@]}" -gt 0 ]; then echo "publish.sh:   AOT=0 deploy/publish.sh $rid builds the JIT build instead"; fi
    failed+=("$rid")
    continue
  fi
  if ! check_machine "$rid" "$out"; then failed+=("$rid"); continue; fi
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
