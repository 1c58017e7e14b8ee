#!/usr/bin/env bash
# Installs what deploy/publish.sh needs to build linux-arm64 (Raspberry Pi 4/5, 64-bit OS) as native AOT on an
# x64 Debian or Ubuntu build machine. Run as root:
#   sudo deploy/install-cross-arm64.sh          # the cross toolchain
#   sudo deploy/install-cross-arm64.sh --qemu   # and qemu-user-static, to try the arm64 binary on this machine
# What each package is for (the native AOT compiler itself and zlib come from NuGet with the SDK):
#   clang                        links for another CPU with --target=aarch64-linux-gnu (skipped when any clang or
#                                clang-N is on PATH already: a new plain `clang` would also become the linker of
#                                this machine's own x64 AOT build, which uses gcc while there is no clang)
#   binutils-aarch64-linux-gnu   the arm64 linker (aarch64-linux-gnu-ld.bfd) and objcopy that strips the binary
#   gcc-aarch64-linux-gnu        pulls the arm64 libgcc/crtbegin objects of the distribution's default gcc
#   libc6-dev-arm64-cross        the arm64 C runtime (crt1.o, libc, libm) in /usr/aarch64-linux-gnu
# No multiarch (dpkg --add-architecture) is needed: these are Debian's plain cross packages.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then echo "install-cross-arm64.sh: run as root (sudo $0)" >&2; exit 1; fi
if ! command -v apt-get >/dev/null; then
  echo "install-cross-arm64.sh: needs apt-get (Debian/Ubuntu); elsewhere install clang, an aarch64 binutils and an arm64 glibc sysroot" >&2
  exit 1
fi

packages=(binutils-aarch64-linux-gnu gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
if ! command -v clang >/dev/null && ! compgen -c clang- | grep -qE '^clang-[0-9]+$'; then packages+=(clang); fi
case "${1:-}" in
  --qemu) packages+=(qemu-user-static) ;;
  "") ;;
  *) echo "usage: $0 [--qemu]" >&2; exit 2 ;;
esac

echo "install-cross-arm64.sh: apt-get install ${packages[*]}"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}"
echo "install-cross-arm64.sh: done; deploy/publish.sh linux-arm64 now builds native AOT"
