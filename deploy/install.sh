#!/usr/bin/env bash
# Installs a published gateway build (deploy/publish.sh) as the systemd service 'smartcity-edge'. Run as root
# from the unpacked folder:   sudo ./deploy/install.sh
# - program files:  /opt/smartcity-edge            (replaced on every install)
# - configuration:  /etc/smartcity-edge/gateway.yaml  (an example is copied ONLY if none exists: never overwritten)
# - state:          /var/lib/smartcity-edge        (buffer database; created by systemd, StateDirectory=)
# - user:           smartcity-edge, system account, member of dialout/gpio/i2c where those groups exist
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "$here/.." && pwd)"
prefix="${PREFIX:-/opt/smartcity-edge}"
confdir=/etc/smartcity-edge
user=smartcity-edge

if [ "$(id -u)" -ne 0 ]; then echo "install.sh: run as root (sudo $0)" >&2; exit 1; fi
if [ ! -x "$build/smartcity-edge" ]; then
  echo "install.sh: no smartcity-edge executable in $build; run this from a folder made by deploy/publish.sh" >&2
  exit 1
fi

# 1. Service account: no login, no home; device groups only where the OS has them (gpio/i2c are Raspberry Pi OS groups).
if ! id -u "$user" >/dev/null 2>&1; then
  useradd --system --no-create-home --home-dir /var/lib/smartcity-edge --shell /usr/sbin/nologin --user-group "$user"
fi
for group in dialout gpio i2c; do
  if getent group "$group" >/dev/null; then usermod -aG "$group" "$user"; fi
done

# 2. Program files, replaced as a whole so no stale assembly survives an upgrade. Owned by root and writable by
#    root only: a build unpacked by a normal user must not stay that user's to change while root's systemd starts
#    it (cp -a would keep the unpacking user as owner). Modes and times are kept, owners are not.
staging="$(mktemp -d "${prefix}.new.XXXXXX")"
cp -R --no-preserve=ownership --preserve=mode,timestamps "$build/." "$staging/"
chown -R -h root:root "$staging"
chmod -R u=rwX,go=rX "$staging"
if [ -d "$prefix" ]; then rm -rf "$prefix.old"; mv "$prefix" "$prefix.old"; fi
mv "$staging" "$prefix"
rm -rf "$prefix.old"

# 3. Configuration: the example only when there is none. A technician's file is never touched.
install -d -m 0750 -o root -g "$user" "$confdir"
if [ ! -e "$confdir/gateway.yaml" ]; then
  install -m 0640 -o root -g "$user" "$here/gateway.example.yaml" "$confdir/gateway.yaml"
  echo "install.sh: wrote example $confdir/gateway.yaml (edit it, then: systemctl reload smartcity-edge)"
else
  echo "install.sh: kept existing $confdir/gateway.yaml"
fi
if [ ! -e "$confdir/environment" ]; then
  install -m 0640 -o root -g "$user" /dev/null "$confdir/environment"
  echo "# Secrets for \${VAR} references in gateway.yaml, e.g. MQTT_PASSWORD=..." > "$confdir/environment"
fi

# 4. Check the configuration before (re)starting, then enable the unit.
if ! runuser -u "$user" -- "$prefix/smartcity-edge" validate --config "$confdir/gateway.yaml"; then
  echo "install.sh: $confdir/gateway.yaml has problems (listed above); the service is installed but not started" >&2
  start=no
else
  start=yes
fi
install -m 0644 "$here/systemd/smartcity-edge.service" /etc/systemd/system/smartcity-edge.service
# A JIT build (self-contained .NET runtime beside the program) needs writable+executable pages for its code.
dropins=/etc/systemd/system/smartcity-edge.service.d
if [ -f "$prefix/libcoreclr.so" ]; then
  install -d -m 0755 "$dropins"
  printf '# JIT build: the .NET JIT needs writable+executable memory.\n[Service]\nMemoryDenyWriteExecute=no\n' > "$dropins/jit.conf"
  echo "install.sh: JIT build; MemoryDenyWriteExecute turned off in $dropins/jit.conf"
else
  rm -f "$dropins/jit.conf"
fi
systemctl daemon-reload
systemctl enable smartcity-edge.service
if [ "$start" = yes ]; then systemctl restart smartcity-edge.service; fi
echo "install.sh: done. Status: systemctl status smartcity-edge; logs: journalctl -u smartcity-edge -f; page: http://127.0.0.1:8080/"
