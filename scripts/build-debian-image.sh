#!/bin/sh
# Builds an LXD-format unified image of Debian bookworm with debootstrap (Debian's package),
# carrying the seed's hostname template. It downloads packages from the Debian mirror the
# host's apt uses. Usage: build-debian-image.sh OUTPUT.tar.xz [SUITE]
set -eu

out=${1:?usage: build-debian-image.sh OUTPUT.tar.xz [SUITE]}
suite=${2:-bookworm}
mirror=${DEBIAN_MIRROR:-$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)}
mirror=${mirror:-http://deb.debian.org/debian}
command -v debootstrap >/dev/null || { echo "Error: debootstrap missing (apt-get install debootstrap)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$work/templates"

# systemd as init; ifupdown so a NIC (once networking lands) gets DHCP.
debootstrap --variant=minbase --include=systemd-sysv,ifupdown,isc-dhcp-client,iproute2 "$suite" "$root" "$mirror" >&2
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
printf 'auto lo\niface lo inet loopback\n\nauto eth0\niface eth0 inet dhcp\n' > "$root/etc/network/interfaces"
# No consoles to respawn on: an unprivileged container has no ttys.
rm -f "$root"/etc/systemd/system/getty.target.wants/*
: > "$root/etc/machine-id"

echo 'hostname="{{ container.name }}"' > "$work/templates/hostname.tpl"
echo '{{ container.name }}' > "$work/templates/etc-hostname.tpl"
printf '127.0.0.1 localhost\n127.0.1.1 {{ container.name }}\n' > "$work/templates/hosts.tpl"
cat > "$work/metadata.yaml" <<META
architecture: $(uname -m)
creation_date: $(date +%s)
properties:
  architecture: $(dpkg --print-architecture)
  description: Debian $suite (SwiftLXD, debootstrap)
  name: debian-$suite
  os: debian
  release: $suite
templates:
  /etc/hostname:
    template: etc-hostname.tpl
    when:
      - create
      - copy
  /etc/hosts:
    template: hosts.tpl
    when:
      - create
      - copy
  /etc/conf.d/hostname:
    template: hostname.tpl
    when:
      - create
      - copy
META
tar -C "$work" --numeric-owner -cJf "$out" metadata.yaml templates rootfs
echo "$out"
