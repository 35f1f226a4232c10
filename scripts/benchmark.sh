#!/bin/sh
# The benchmark of issue 5: our lxd and Debian's LXD 5.0.2 side by side on this machine.
#
#   scripts/benchmark.sh [--smoke] [SWIFTLXD-BENCH OPTIONS...]
#
# Builds `lxd`, `lxc` and `swiftlxd-bench`, starts our daemon and /usr/bin/lxd, each in its own
# temporary LXD_DIR with a `dir` pool (the same preseed, no network) and the same busybox image
# (scripts/build-busybox-image.sh), runs swiftlxd-bench against both (it alternates between them;
# clients: Debian's lxc and ours; floor: bare lxc-start on our rootfs; peer tool: lxd-benchmark),
# writes the docs-ready tables to $BENCH_OUT/results.md and stops everything it started, by pid,
# whatever happens.
# --smoke: our daemon only, a few iterations (< 60 s), exits non-zero on any failure; the test
# command runs it on the debug build (BENCH_CONFIG=debug) it has just made.
# Environment: BENCH_CONFIG (release or debug, default release), BENCH_SCRATCH (SwiftPM scratch
# path, default .build), BENCH_OUT (where results.md, results.json and lxd-benchmark.csv go,
# default $BENCH_SCRATCH/benchmark), BENCH_TIMEOUT (seconds, default 3600), LXC (Debian's
# client, default /usr/bin/lxc).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
scratch=${BENCH_SCRATCH:-$top/.build}
out=${BENCH_OUT:-$scratch/benchmark}
lxc=${LXC:-/usr/bin/lxc}
reference=/usr/bin/lxd
smoke=
if [ "${1:-}" = "--smoke" ]; then
    smoke=1
    shift
fi

config=${BENCH_CONFIG:-release}
echo "==> Building lxd, lxc and swiftlxd-bench ($config, $scratch)" >&2
swift build --package-path "$top" --scratch-path "$scratch" -c "$config" >&2
bin=$scratch/$config
[ -x "$lxc" ] || { echo "Error: $lxc missing (apt-get install lxd-client)" >&2; exit 1; }
if [ -z "$smoke" ] && [ ! -x "$reference" ]; then
    echo "Error: $reference missing (apt-get install lxd)" >&2
    exit 1
fi

work=$(mktemp -d /tmp/swiftlxd-benchmark-XXXXXX)
chmod 755 "$work"  # unprivileged container roots must traverse it
mkdir -p "$work/home/.config/lxc" "$out"
echo "default-remote: local" > "$work/home/.config/lxc/config.yml"
export HOME="$work/home"  # Debian's lxc: no first-run banner, no user config
unset LXD_SOCKET
started=

# Everything this script started, undone by pid: instances, daemons, mounts, the folder.
teardown() {
    status=$?
    trap - EXIT INT TERM
    for dir in $started; do
        pid=$(cat "$work/$dir.pid" 2>/dev/null || true)
        [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || continue
        for name in $(LXD_DIR=$work/$dir "$lxc" list --format csv -c n 2>/dev/null); do
            LXD_DIR=$work/$dir "$lxc" delete --force "$name" >/dev/null 2>&1 || true
        done
        kill -TERM "$pid" 2>/dev/null || true
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    done
    # LXD leaves its shmounts/devlxd mounts behind in its LXD_DIR.
    awk -v w="$work/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
    rm -rf "$work"
    exit $status
}
trap teardown EXIT
trap 'exit 130' INT TERM

preseed='storage_pools:
- name: default
  driver: dir
profiles:
- name: default
  devices:
    root:
      path: /
      pool: default
      type: disk
'

# start_daemon NAME BINARY: a daemon in $work/NAME, its pid in $work/NAME.pid.
start_daemon() {
    dir=$work/$1
    mkdir -p "$dir"
    chmod 755 "$dir"
    LXD_DIR=$dir setsid "$2" --group root --logfile "$dir/lxd.log" </dev/null >"$dir/daemon.out" 2>&1 &
    echo $! > "$work/$1.pid"
    started="$started $1"
    LXD_DIR=$dir "$2" waitready --timeout 120
    echo "$preseed" | LXD_DIR=$dir "$2" init --preseed
    LXD_DIR=$dir "$lxc" config set images.auto_update_interval 0 2>/dev/null || [ "$1" = ours ]
    LXD_DIR=$dir "$lxc" image import "$work/busybox.tar.xz" --alias busybox >/dev/null
    echo "==> $1: $2 (pid $(cat "$work/$1.pid"), LXD_DIR=$dir)" >&2
}

"$top/scripts/build-busybox-image.sh" "$work/busybox.tar.xz" >/dev/null
start_daemon ours "$bin/lxd"
targets="--target ours=$work/ours:$(cat "$work/ours.pid") --idle-binary ours=$bin/lxd"
if [ -n "$smoke" ]; then
    set -- --smoke "$@"
else
    start_daemon lxd "$reference"
    targets="$targets --target lxd=$work/lxd:$(cat "$work/lxd.pid") --idle-binary lxd=$reference"
fi

rm -f "$out/lxd-benchmark.csv"  # lxd-benchmark appends
echo "==> swiftlxd-bench $targets $*" >&2
# shellcheck disable=SC2086 # $targets is a list of words without spaces
timeout "${BENCH_TIMEOUT:-3600}" "$bin/swiftlxd-bench" $targets --cli "Debian=$lxc" --cli "ours=$bin/lxc" \
    --peer-report "$out/lxd-benchmark.csv" --markdown "$out/results.md" --json "$out/results.json" "$@"
echo "==> Results in $out/results.md, $out/results.json and $out/lxd-benchmark.csv" >&2
