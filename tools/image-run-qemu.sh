#!/bin/sh
# run-qemu.sh: boot this Toro image under QEMU as it is (written by
# ./toro image; @CPUS@ CPUs and @MEM@ MiB, as the image was made).
#
#	./run-qemu.sh [microvm|q35|pc] [-- QEMU OPTION...]
#
# microvm (the default) and q35 boot kernel.pvh.elf through PVH; pc
# boots kernel.elf through Multiboot.  The console is this terminal;
# disk.img, when there, is disk 0; the network card is on QEMU's user
# networking (nothing forwarded).  TORO_ACCEL=kvm uses KVM.  The exit
# status is the application's: its kernel writes s to port 0xf4 and QEMU
# exits with (s << 1) | 1; anything else (QEMU's own error, a triple
# fault) is 255.
cd "$(dirname "$0")" || exit 255
m=${1:-microvm}
[ $# -eq 0 ] || shift
[ "${1:-}" != -- ] || shift
case $m in
microvm)
	set -- -M microvm,pit=on,pic=off,rtc=on,isa-serial=on \
	    -global virtio-mmio.force-legacy=false \
	    -netdev user,id=n0 -device virtio-net-device,netdev=n0 \
	    -kernel kernel.pvh.elf "$@"
	[ -z "@DISK@" ] || set -- -drive file=disk.img,format=raw,if=none,id=d0 \
	    -device virtio-blk-device,drive=d0 "$@"
	;;
q35)
	set -- -M q35 -netdev user,id=n0 \
	    -device virtio-net-pci,romfile=,netdev=n0 -kernel kernel.pvh.elf "$@"
	[ -z "@DISK@" ] || set -- -drive file=disk.img,format=raw,if=none,id=d0 \
	    -device virtio-blk-pci,romfile=,drive=d0 "$@"
	;;
pc)
	set -- -M pc -netdev user,id=n0 \
	    -device virtio-net-pci,romfile=,netdev=n0 -kernel kernel.elf "$@"
	[ -z "@DISK@" ] || set -- -drive file=disk.img,format=raw,if=ide "$@"
	;;
*)
	echo "run-qemu.sh: the machine is microvm, q35 or pc, not '$m'" >&2
	exit 2
	;;
esac
case ${TORO_ACCEL:-tcg} in
kvm) set -- -accel kvm -cpu host "$@" ;;
*) set -- -accel tcg "$@" ;;
esac
err=$(mktemp) || exit 255
s=0
qemu-system-x86_64 -nodefaults -no-user-config -display none \
    -serial stdio -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -smp @CPUS@ -m @MEM@ -append "$(cat cmdline)" "$@" 2>"$err" </dev/null ||
    s=$?
cat "$err" >&2
if grep '^qemu-system-x86_64: ' "$err" | grep -qv ': warning: '; then
	s=255
elif [ $((s & 1)) -eq 1 ]; then
	s=$((s >> 1))
else
	s=255
fi
rm -f "$err"
exit $s
