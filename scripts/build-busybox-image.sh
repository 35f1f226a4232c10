#!/bin/sh
# Builds an LXD-format image from Debian's busybox-static: a unified tarball (metadata.yaml,
# templates/, rootfs/) or, with --split, a metadata tarball plus a rootfs tarball or squashfs.
# Usage: build-busybox-image.sh OUTPUT.tar.xz
#        build-busybox-image.sh --split META.tar.xz ROOTFS.(tar.xz|squashfs)
# Files are root-owned in the tarball, as a distribution image would be; the
# daemon shifts them into the container's id range when it unpacks them.
set -eu

split_rootfs=
if [ "${1:-}" = "--split" ]; then
    shift
    split_rootfs=${2:?usage: build-busybox-image.sh --split META.tar.xz ROOTFS.(tar.xz|squashfs)}
fi
out=${1:?usage: build-busybox-image.sh OUTPUT.tar.(xz|gz)}
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "Error: $busybox missing (apt-get install busybox-static)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs

mkdir -p "$root"/bin "$root"/sbin "$root"/usr/bin "$root"/usr/sbin "$root"/etc/init.d \
    "$root"/dev "$root"/proc "$root"/sys "$root"/tmp "$root"/root "$root"/run "$root"/var/log \
    "$root"/home "$root"/mnt "$work"/templates
chmod 1777 "$root"/tmp
chmod 700 "$root"/root
cp "$busybox" "$root"/bin/busybox
# One symlink per applet, where busybox itself says it belongs.
for applet in $("$busybox" --list-full); do
    [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done

# A shell on the console once Enter is pressed there (`lxc console`), as busybox's own default.
cat > "$root"/etc/inittab <<'TAB'
::sysinit:/etc/init.d/rcS
::askfirst:-/bin/sh
::shutdown:/bin/umount -a -r
TAB
cat > "$root"/etc/init.d/rcS <<'RCS'
#!/bin/sh
[ -s /etc/hostname ] && hostname -F /etc/hostname
# A NIC named eth0 (LXD's default profile device) asks DHCP for an address, as a distribution
# would; udhcpc stays in the background to renew it. No NIC, no client.
if [ -e /sys/class/net/eth0 ]; then
    ip link set eth0 up
    udhcpc -b -i eth0 -x "hostname:$(hostname)" -s /usr/share/udhcpc/default.script >/dev/null 2>&1
fi
exit 0
RCS
chmod 755 "$root"/etc/init.d/rcS
mkdir -p "$root"/usr/share/udhcpc
cat > "$root"/usr/share/udhcpc/default.script <<'DHCP'
#!/bin/sh
# udhcpc's hook: configures the lease it got (address, default route, resolver).
case "$1" in
    deconfig)
        ip -4 addr flush dev "$interface"
        ;;
    bound|renew)
        ip -4 addr flush dev "$interface"
        ip addr add "$ip/${mask:-24}" dev "$interface"
        for gateway in $router; do ip route add default via "$gateway" dev "$interface"; break; done
        : > /etc/resolv.conf
        [ -n "$domain" ] && echo "search $domain" >> /etc/resolv.conf
        for server in $dns; do echo "nameserver $server" >> /etc/resolv.conf; done
        ;;
esac
exit 0
DHCP
chmod 755 "$root"/usr/share/udhcpc/default.script
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$root"/etc/passwd
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root"/etc/group
echo busybox > "$root"/etc/hostname

# The seed's template: the instance name becomes the hostname.
echo 'hostname="{{ container.name }}"' > "$work"/templates/hostname.tpl
echo '{{ container.name }}' > "$work"/templates/etc-hostname.tpl

version=$("$busybox" | head -n 1 | sed -n 's/^BusyBox v\([0-9.]*\).*/\1/p')
cat > "$work"/metadata.yaml <<META
architecture: $(uname -m)
creation_date: $(date +%s)
properties:
  architecture: $(uname -m)
  description: Busybox $version (SwiftLXD test image)
  name: busybox-$version
  os: busybox
  release: "$version"
templates:
  /etc/conf.d/hostname:
    template: hostname.tpl
    when:
      - create
      - copy
  /etc/hostname:
    template: etc-hostname.tpl
    when:
      - create
      - copy
META

case "$out" in
    *.tar.gz) compress=--gzip ;;
    *.tar.xz) compress=--xz ;;
    *.tar.bz2) compress=--bzip2 ;;
    *.tar.lzma) compress=lzma ;;
    *.tar.zst) compress=--zstd ;;
    *.tar) compress= ;;
    *) echo "Error: output must end in .tar, .tar.gz, .tar.xz, .tar.bz2, .tar.lzma or .tar.zst" >&2; exit 1 ;;
esac
# tar FILE MEMBERS...: a root-owned tarball, compressed as $compress says.
make_tar() {
    target=$1
    shift
    if [ "$compress" = lzma ]; then
        tar -C "$work" --numeric-owner --owner=0 --group=0 -cf - "$@" | xz --format=lzma -c > "$target"
    else
        tar -C "$work" --numeric-owner --owner=0 --group=0 $compress -cf "$target" "$@"
    fi
}

mkdir -p "$root"/etc/conf.d
if [ -n "$split_rootfs" ]; then
    make_tar "$out" metadata.yaml templates
    case "$split_rootfs" in
        *.squashfs) mksquashfs "$root" "$split_rootfs" -noappend -all-root -quiet >/dev/null ;;
        *.tar.xz) tar -C "$root" --numeric-owner --owner=0 --group=0 --xz -cf "$split_rootfs" . ;;
        *.tar.gz) tar -C "$root" --numeric-owner --owner=0 --group=0 --gzip -cf "$split_rootfs" . ;;
        *) echo "Error: the rootfs must end in .tar.xz, .tar.gz or .squashfs" >&2; exit 1 ;;
    esac
    echo "$out $split_rootfs"
else
    make_tar "$out" metadata.yaml templates rootfs
    echo "$out"
fi
