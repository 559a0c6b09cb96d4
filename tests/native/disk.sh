#!/bin/bash
# disk.sh: the native disk drivers under QEMU (TCG), through the `files`
# example on a 32 MiB FAT16 image made by mformat: virtio-blk on microvm
# (virtio-mmio, modern and QEMU's default, legacy) and q35 (virtio-pci),
# IDE (ATA PIO) on pc.  Each run prints a host file, appends to
# /files.log and returns 0; the host then reads /files.log back with
# mtype and checks the volume with fsck.fat.
# Also: a read-only virtio disk refuses the write and is left as it was,
# and pc reads (and writes) a host directory through QEMU's vvfat.
. "$srcdir/tests/tap.sh"
plan 8

need=""
for c in qemu-system-x86_64 mformat mcopy mtype fsck.fat; do
	command -v "$c" >/dev/null || need="$need $c"
done
if [ -n "$need" ]; then
	for i in $(seq 8); do skip "not installed:$need"; done
	exit 0
fi
if [ ! -f out/native/files.elf ]; then
	for i in $(seq 8); do fail "out/native/files.elf is not built"; done
	exit 0
fi
. "$srcdir/hal/native/qemu.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out
text="a line from the host, for the disk test"

# A fresh FAT16 image holding /HOST.TXT.
mkimage() {
	rm -f "$1"
	truncate -s 32M "$1" &&
	    mformat -i "$1" -T 65536 -h 64 -s 32 -c 8 :: &&
	    echo "$text" >"$tmp/host.txt" &&
	    mcopy -i "$1" "$tmp/host.txt" ::HOST.TXT
}

# boot MACHINE CMDLINE QEMU-ARGS...: QEMU's status mapped back to main's.
boot() {
	local m=$1 cmd=$2
	shift 2
	toro_qemu_boot "$out" "$m" 1 out/native/files.elf "$cmd" "$@"
}

# files on MACHINE with the image as disk 0; then look from the host.
files_ok() {
	local m=$1 what=$2 img=$tmp/$1.img
	mkimage "$img" || return 1
	# shellcheck disable=SC2046
	boot "$m" "loglevel=debug /HOST.TXT" $(toro_qemu_disk "$m" "$img") ||
	    { note <"$out"; return 1; }
	grep -q "^toro: disk 0: $what.*, 65536 sectors .*read-write" "$out" &&
	    grep -qx "$text" "$out" ||
	    { note <"$out"; return 1; }
	# virtio-blk takes scatter-gather requests (indirect descriptors).
	case $what in
	virtio*) grep -q "^toro: disk 0: .*scatter-gather" "$out" ||
	    { note <"$out"; return 1; } ;;
	esac
	mtype -i "$img" ::FILES.LOG | grep -q '^files ran at' ||
	    { note <"$out"; return 1; }
	fsck.fat -n "$img" >"$out" 2>&1 || { note <"$out"; return 1; }
}
check "files on microvm (virtio-mmio)" files_ok microvm 'virtio-blk (mmio)'
# QEMU's own default on microvm: legacy (version 1) transports.
legacy_ok() { TORO_QEMU_MMIO=legacy files_ok "$@"; }
check "files on microvm (legacy virtio-mmio, QEMU's default)" legacy_ok \
    microvm 'virtio-blk (mmio, legacy)'
check "files on q35 (virtio-pci)" files_ok q35 'virtio-blk (pci'
check "files on pc (IDE)" files_ok pc 'ATA (IDE primary master)'

# A read-only disk: the append fails, files says so and returns 1.
ro_ok() {
	local img=$tmp/ro.img
	mkimage "$img" && cp "$img" "$img.orig" || return 1
	# shellcheck disable=SC2046
	boot microvm "loglevel=debug /HOST.TXT" \
	    $(toro_qemu_disk microvm "$img" ro)
	[ $? -eq 1 ] || { note <"$out"; return 1; }
	grep -q "^toro: disk 0: .*read-only" "$out" &&
	    grep -qx "$text" "$out" &&
	    grep -q "read-only file system" "$out" ||
	    { note <"$out"; return 1; }
	cmp -s "$img" "$img.orig"
}
check "a read-only virtio disk stays as it was" ro_ok

# virtio-blk-pci with INTx (no MSI-X vectors) on pc.
intx_ok() {
	local img=$tmp/intx.img
	mkimage "$img" || return 1
	boot pc "/HOST.TXT" -drive "file=$img,format=raw,if=none,id=d0" \
	    -device virtio-blk-pci,drive=d0,romfile=,vectors=0 ||
	    { note <"$out"; return 1; }
	grep -qx "$text" "$out" || { note <"$out"; return 1; }
	mtype -i "$img" ::FILES.LOG | grep -q '^files ran at'
}
check "files on pc (virtio-pci, INTx)" intx_ok

# A host directory through vvfat, the IDE disk of pc.
mkdir "$tmp/dir" && echo "$text" >"$tmp/dir/host.txt"
vvfat_read_ok() {
	boot pc "loglevel=debug /host.txt" \
	    -drive "file=fat:rw:$tmp/dir,format=raw,if=ide" ||
	    { note <"$out"; return 1; }
	grep -q '^fat: disk 0: FAT16 "QEMU VVFAT"' "$out" &&
	    grep -qx "$text" "$out" || { note <"$out"; return 1; }
}
check "pc reads a host directory (vvfat)" vvfat_read_ok
# QEMU writes the guest's changes back to the directory when it exits.
check "pc writes into a host directory (vvfat)" \
    grep -q '^files ran at' "$tmp/dir/files.log"
