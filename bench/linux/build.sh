#!/usr/bin/env bash
# build.sh: the Linux guest of the benchmarks, Debian's kernel with a
# busybox initramfs that serves HTTP (bench/linux/init).
#
#	bash bench/linux/build.sh OUTDIR
#
# makes OUTDIR/vmlinuz and OUTDIR/initramfs.cpio.gz from the Debian
# packages linux-image-VERSION-amd64 (the one linux-image-amd64 depends
# on) and busybox-static, fetched with `apt-get download` and unpacked in
# a scratch folder: nothing is installed on the host.  The virtio network
# modules (virtio_net, virtio_pci, virtio_mmio and what they depend on)
# go into the initramfs with their load order.  OUTDIR/stamp names the
# package versions and a hash of these scripts: when it matches, nothing
# is done.  Needs apt-get, dpkg-deb, cpio, gzip and objcopy (binutils).
# See bench/README.md for how to boot the guest by hand.
set -euo pipefail

out=${1:?usage: bench/linux/build.sh OUTDIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The drivers the guest needs beyond the kernel's built-ins: the NIC on
# both transports, PCI (q35) and MMIO (microvm).
MODULES="virtio_net virtio_pci virtio_mmio"

die() { echo "linux-guest: $*" >&2; exit 1; }

for t in apt-get apt-cache dpkg-deb cpio gzip objcopy; do
	command -v "$t" >/dev/null 2>&1 ||
	    die "$t is missing (./toro deps installs cpio and binutils)"
done

# The kernel package linux-image-amd64 points at now, e.g.
# linux-image-6.1.0-56-amd64, and a package's candidate version.
kernel_pkg() {
	apt-cache depends linux-image-amd64 2>/dev/null |
	    sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' |
	    head -1
}
pkg_version() {
	apt-cache show --no-all-versions "$1" 2>/dev/null |
	    sed -n 's/^Version: //p' | head -1
}
kpkg=$(kernel_pkg)
if [ -z "$kpkg" ] && [ "$(id -u)" -eq 0 ]; then
	# A fresh machine may have no package lists yet.
	apt-get update -qq >&2 || true
	kpkg=$(kernel_pkg)
fi
[ -n "$kpkg" ] || die "apt-cache knows no linux-image-amd64 (apt-get update?)"
kver=$(pkg_version "$kpkg")
bver=$(pkg_version busybox-static)
[ -n "$kver" ] && [ -n "$bver" ] ||
    die "no version for $kpkg or busybox-static in apt-cache"
hash=$(cat "$here/build.sh" "$here/init" "$here/udhcpc.sh" | sha256sum |
    cut -c1-16)
stamp="$kpkg $kver busybox-static $bver scripts $hash"

if [ -f "$out/vmlinuz" ] && [ -f "$out/initramfs.cpio.gz" ] &&
    [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "linux-guest: up to date in $out ($kpkg $kver, busybox $bver)"
	exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/deb" "$work/pkg" "$out"
# apt downloads as _apt when it can reach the folder.
chmod 755 "$work"
if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then
	chown _apt "$work/deb"
fi
echo "linux-guest: downloading $kpkg $kver and busybox-static $bver"
(cd "$work/deb" && apt-get download -q "$kpkg=$kver" "busybox-static=$bver") \
    >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; die "apt-get download failed"; }
for d in "$work"/deb/*.deb; do
	dpkg-deb -x "$d" "$work/pkg"
done

release=${kpkg#linux-image-}
vmlinuz=$work/pkg/boot/vmlinuz-$release
moddir=$work/pkg/lib/modules/$release
bb=$work/pkg/bin/busybox
[ -f "$vmlinuz" ] && [ -d "$moddir" ] && [ -x "$bb" ] ||
    die "unexpected package contents (no $vmlinuz, $moddir or busybox)"

# The initramfs tree: busybox and a link per applet, init, the modules.
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,www,lib/modules}
cp "$bb" "$root/bin/busybox"
for a in $("$bb" --list); do
	[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
done
install -m 755 "$here/init" "$root/init"
install -m 755 "$here/udhcpc.sh" "$root/bin/udhcpc.sh"

# add_module NAME: NAME's dependencies, then NAME, into the initramfs
# and its load order (lib/modules/order).  Debian 12's modules are plain
# .ko; a compressed one is unpacked so that busybox insmod takes it.
find "$moddir" -name '*.ko*' >"$work/ko.list"
declare -A added
add_module() {
	local m=$1 f d
	[ -z "${added[$m]:-}" ] || return 0
	added[$m]=1
	# File names may spell '_' as '-'.
	f=$(grep -E "/${m//_/[-_]}\.ko(\.[a-z]+)?$" "$work/ko.list" | head -1)
	[ -n "$f" ] || die "no module $m in $kpkg"
	case $f in
	*.ko) cp "$f" "$root/lib/modules/$m.ko" ;;
	*.ko.xz) "$bb" xzcat "$f" >"$root/lib/modules/$m.ko" ;;
	*.ko.gz) gzip -dc "$f" >"$root/lib/modules/$m.ko" ;;
	*) die "cannot unpack $f" ;;
	esac
	# The "depends=a,b" string of the module's .modinfo section.
	for d in $(objcopy -O binary --only-section=.modinfo \
	    "$root/lib/modules/$m.ko" /dev/stdout | tr '\0' '\n' |
	    sed -n 's/^depends=//p' | tr ',' ' '); do
		add_module "$d"
	done
	echo "$m" >>"$root/lib/modules/order"
}
for m in $MODULES; do
	add_module "$m"
done

(cd "$root" && find . | sort | cpio -o -H newc -R 0:0 --quiet) |
    gzip -9 >"$out/initramfs.cpio.gz.new"
cp "$vmlinuz" "$out/vmlinuz.new"
mv "$out/initramfs.cpio.gz.new" "$out/initramfs.cpio.gz"
mv "$out/vmlinuz.new" "$out/vmlinuz"
echo "$stamp" >"$out/stamp"
echo "linux-guest: built $out: vmlinuz $(stat -c %s "$out/vmlinuz") bytes" \
    "($release), initramfs $(stat -c %s "$out/initramfs.cpio.gz") bytes" \
    "(modules: $(tr '\n' ' ' <"$root/lib/modules/order"))"
