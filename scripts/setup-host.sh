#!/bin/sh
# Installs the Debian packages SwiftLXD needs to build, run and test (Debian's lxd 5.0.2 and
# its client are the reference the tests compare against), and gives root a
# subordinate id range (the seed's root:100000:65536) when it has none. Idempotent: a machine
# that already has everything is left alone. Swift itself is on the machine (/opt/swift).
set -eu

packages="pkg-config lxc lxc-dev libsqlite3-dev libyaml-dev libarchive-dev libssl-dev libhttp-parser-dev
busybox-static xz-utils bzip2 zstd squashfs-tools uidmap python3 python3-pip curl debootstrap lxd-client lxd lxd-tools rsync
dnsmasq-base nftables iproute2 util-linux btrfs-progs lvm2 thin-provisioning-tools e2fsprogs acl libcap2-bin procps"

missing=""
for package in $packages; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
if [ -n "$missing" ]; then
    echo "Installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

for file in /etc/subuid /etc/subgid; do
    touch "$file"
    grep -q '^root:' "$file" || echo 'root:100000:65536' >> "$file"
done

# pylxd (PyPI) for the API compatibility tests, for the python3 on PATH. Debian's own python3
# needs python3-pip and refuses system-wide installs unless told (PEP 668).
if ! python3 -c 'import pylxd' >/dev/null 2>&1; then
    if ! python3 -m pip --version >/dev/null 2>&1; then
        apt-get install -y -qq --no-install-recommends python3-pip >/dev/null
    fi
    python3 -m pip install --quiet --disable-pip-version-check pylxd >/dev/null 2>&1 \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages pylxd
fi
