# qemu.sh: how to run a native image under QEMU.  Source it, then:
#
#	qemu-system-x86_64 $(toro_qemu_args microvm 2 128) \
#	    -kernel "$(toro_qemu_kernel microvm out/native/hello.elf)" \
#	    -append "..."
#
# toro_qemu_args MACHINE CPUS MEM_MB prints the arguments for MACHINE
# (microvm, q35 or pc), without the binary, -kernel or -append: no
# default devices, COM1 on stdio, no display, no reboot (a triple fault
# ends QEMU), isa-debug-exit at port 0xf4 so that hal_exit(s) makes QEMU
# exit with status (s << 1) | 1.  TORO_QEMU_ACCEL=kvm asks for KVM.
#
# toro_qemu_boot (below) runs an image that way and returns main's status.
#
# On microvm it also makes virtio-mmio transports modern (version 2):
# QEMU 7.2 makes them legacy (version 1) by default
# (`-global virtio-mmio.force-legacy=false`).  The kernel drives both;
# TORO_QEMU_MMIO=legacy leaves QEMU's default, for the tests of legacy.
#
# toro_qemu_nic MACHINE NETDEV_ID [PROPS] prints the -device arguments of
# a virtio-net NIC for MACHINE on the -netdev NETDEV_ID, with ,PROPS
# appended when given: virtio-net-device (virtio-mmio) on microvm,
# virtio-net-pci on q35 and pc (without its iPXE option ROM, which only
# slows SeaBIOS down).  For example, user networking with a host UDP
# port forwarded to the guest, and a TAP device:
#
#	-netdev user,id=n0,hostfwd=udp:127.0.0.1:5555-10.0.2.15:5555 \
#	    $(toro_qemu_nic q35 n0)
#	-netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
#	    $(toro_qemu_nic microvm n0)
#
# toro_qemu_disk MACHINE FILE [ro] prints the -drive and -device
# arguments of a raw disk image FILE for MACHINE, read-only with `ro`:
# virtio-blk-device (virtio-mmio) on microvm, virtio-blk-pci on q35
# (without its option ROM), and an IDE disk on pc (the PIIX's primary
# master, driven by PIO).  The disks are numbered in the order the
# kernel finds them: a virtio-blk disk first, then the IDE master.  QEMU
# will not make an IDE disk read-only, so `ro` on pc is refused.  A host
# directory can be the disk of pc through QEMU's vvfat (a FAT16 volume
# behind an MBR partition, up to about 500 MB by default; its write
# support is fragile):
#
#	-drive file=fat:rw:DIR,format=raw,if=ide
#
# For example:
#
#	qemu-system-x86_64 $(toro_qemu_args q35 1 64) \
#	    $(toro_qemu_disk q35 disk.img) -kernel ... -append ...
#
# toro_qemu_kernel MACHINE IMAGE prints the file to pass to -kernel.
# QEMU tries Multiboot before PVH on every machine whenever an image has
# a Multiboot header, so IMAGE (both headers) boots via Multiboot, and
# microvm and q35 get IMAGE's PVH-only twin NAME.pvh.elf (the Multiboot
# header zeroed, made by `make NAME.pvh.elf`) when it exists.

toro_qemu_args() {
	_m=$1
	_cpus=${2:-1}
	_mem=${3:-128}
	case $_m in
	microvm)
		# The PIT stays: on microvm it is the only clock we can
		# calibrate the TSC against quickly.
		printf '%s ' -M microvm,pit=on,pic=off,rtc=on,isa-serial=on
		[ "${TORO_QEMU_MMIO:-}" = legacy ] ||
		    printf '%s ' -global virtio-mmio.force-legacy=false
		;;
	q35 | pc)
		printf '%s ' -M "$_m"
		;;
	*)
		echo "toro_qemu_args: unknown machine '$_m'" >&2
		return 1
		;;
	esac
	case ${TORO_QEMU_ACCEL:-tcg} in
	kvm) printf '%s ' -accel kvm -cpu host ;;
	*) printf '%s ' -accel tcg ;;
	esac
	printf '%s ' -nodefaults -no-user-config -display none \
	    -serial stdio -no-reboot \
	    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	    -smp "$_cpus" -m "$_mem"
	echo
}

toro_qemu_nic() {
	case $1 in
	microvm) _dev=virtio-net-device ;;
	q35 | pc) _dev=virtio-net-pci,romfile= ;;
	*)
		echo "toro_qemu_nic: unknown machine '$1'" >&2
		return 1
		;;
	esac
	echo -device "$_dev,netdev=$2${3:+,$3}"
}

toro_qemu_disk() {
	_ro=
	case ${3:-} in
	'') ;;
	ro) _ro=,readonly=on ;;
	*)
		echo "toro_qemu_disk: '$3' is not ro" >&2
		return 1
		;;
	esac
	case $1 in
	microvm) _dev=virtio-blk-device ;;
	q35) _dev=virtio-blk-pci,romfile= ;;
	pc)
		if [ -n "$_ro" ]; then
			echo "toro_qemu_disk: IDE disks cannot be read-only" >&2
			return 1
		fi
		echo -drive "file=$2,format=raw,if=ide"
		return 0
		;;
	*)
		echo "toro_qemu_disk: unknown machine '$1'" >&2
		return 1
		;;
	esac
	echo -drive "file=$2,format=raw,if=none,id=d0$_ro" \
	    -device "$_dev,drive=d0"
}

toro_qemu_kernel() {
	_img=$2
	case $1 in
	microvm | q35)
		_pvh=${_img%.elf}.pvh.elf
		if [ -f "$_pvh" ]; then
			_img=$_pvh
		fi
		;;
	esac
	echo "$_img"
}

# toro_qemu_boot OUT MACHINE CPUS IMAGE CMDLINE [QEMU OPTION...]: boot
# IMAGE with 64 MiB (two minutes at most), its console in OUT without
# carriage returns; returns main's status, undoing isa-debug-exit's
# (v << 1) | 1, or 255 when QEMU ended some other way.
toro_qemu_boot() {
	_out=$1 _m=$2 _cpus=$3 _img=$4 _cmd=$5 _s=0
	shift 5
	# shellcheck disable=SC2046
	timeout 120 qemu-system-x86_64 $(toro_qemu_args "$_m" "$_cpus" 64) \
	    "$@" -kernel "$(toro_qemu_kernel "$_m" "$_img")" \
	    -append "$_cmd" >"$_out" 2>&1 </dev/null || _s=$?
	tr -d '\r' <"$_out" >"$_out.tmp" && mv "$_out.tmp" "$_out"
	[ $((_s & 1)) -eq 1 ] && return $((_s >> 1))
	return 255
}
