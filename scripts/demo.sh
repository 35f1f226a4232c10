#!/bin/sh
# The main job: start the daemon (LXD_DIR, default /var/lib/lxd), initialise it, import the
# busybox image, launch an unprivileged container, run a command in it and list it.
# Safe to re-run: a running daemon, an existing pool, image or container are reused.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
bin=${SWIFTLXD_BIN:-$top/.build/release}
export LXD_DIR=${LXD_DIR:-/var/lib/lxd}
lxd=$bin/lxd
# Our lxc by default; LXC=/usr/bin/lxc runs the same steps with Debian's client.
lxc=${LXC:-$bin/lxc}
name=${DEMO_CONTAINER:-demo}

mkdir -p "$LXD_DIR"
if ! "$lxd" waitready --timeout 1 >/dev/null 2>&1; then
    echo "==> Starting lxd (LXD_DIR=$LXD_DIR)"
    setsid "$lxd" --group root --logfile "$LXD_DIR/lxd.log" </dev/null >/dev/null 2>&1 &
    "$lxd" waitready --timeout 60
fi

if ! curl -sf --unix-socket "$LXD_DIR/unix.socket" http://lxd/1.0/storage-pools/default >/dev/null 2>&1; then
    echo "==> lxd init --auto"
    "$lxd" init --auto
fi

if ! "$lxc" image show busybox >/dev/null 2>&1; then
    image=$(mktemp -d)/busybox.tar.xz
    echo "==> Building the busybox image"
    "$top/scripts/build-busybox-image.sh" "$image" >/dev/null
    echo "==> lxc image import $image --alias busybox"
    "$lxc" image import "$image" --alias busybox
    rm -rf "$(dirname "$image")"
fi

if ! "$lxc" info "$name" >/dev/null 2>&1; then
    echo "==> lxc launch busybox $name"
    "$lxc" launch busybox "$name"
elif ! "$lxc" info "$name" | grep -q '^Status: RUNNING'; then
    "$lxc" start "$name"
fi

echo "==> lxc exec $name -- sh -c 'hostname; id; cat /proc/1/uid_map'"
"$lxc" exec "$name" -- sh -c 'echo "hostname: $(hostname)"; id; cat /proc/1/uid_map'
pid=$("$lxc" info "$name" | sed -n 's/^PID: //p')
echo "==> On the host, the container's init (pid $pid) runs as uid $(awk '/^Uid:/ {print $2}' /proc/"$pid"/status)"
echo "==> lxc list"
"$lxc" list
