#!/bin/sh
# qemu.sh: how to run a native image under QEMU, the one place that
# knows QEMU's command line and its exit status.  As a command (what
# ./toro run --target qemu|kvm uses), see toro_qemu_main at the end:
#
#	hal/native/qemu.sh [--machine M] [--cpus N] [--mem MB] ... IMAGE \
#	    [-- KERNEL COMMAND LINE]
#
# Or source it (the tests do), then:
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
# toro_qemu_boot (below) runs an image that way and returns main's status;
# toro_qemu_status maps QEMU's exit status back to main's.
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
# toro_qemu_net MACHINE NET [FORWARD...] prints the -netdev and -device
# arguments of the NIC (with the properties in $TORO_QEMU_NIC, if set:
# csum=off,guest_tso4=off... switch offloads off) on NET: user (libslirp: the guest is 10.0.2.15
# behind a NAT, and each FORWARD, [tcp:|udp:]HOST:GUEST, forwards port
# HOST of 127.0.0.1 to the guest's port GUEST), tap:IFNAME, or none
# (nothing).  For example:
#
#	$(toro_qemu_net q35 user 8080:80 udp:5353:53)
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

toro_qemu_net() {
	_m=$1 _net=$2
	shift 2
	case $_net in
	none) return 0 ;;
	user)
		_nd=user,id=n0
		for _f in "$@"; do
			set -- "$_f"
			_proto=tcp
			case $_f in tcp:* | udp:*)
				_proto=${_f%%:*}
				_f=${_f#*:}
				;;
			esac
			case $_f in
			*[!0-9:]* | *:*:* | :* | *:) _f=bad ;;
			esac
			case $_f in
			*:*) ;;
			*)
				echo "toro_qemu_net: a forward is" \
				    "[udp:]HOST:GUEST, not '$1'" >&2
				return 1
				;;
			esac
			_nd=$_nd,hostfwd=$_proto:127.0.0.1:${_f%%:*}-:${_f#*:}
		done
		;;
	tap:?*)
		if [ $# -gt 0 ]; then
			echo "toro_qemu_net: forwards need user networking" >&2
			return 1
		fi
		_nd=tap,id=n0,ifname=${_net#tap:},script=no,downscript=no
		;;
	*)
		echo "toro_qemu_net: NET is user, tap:IFNAME or none, not '$_net'" >&2
		return 1
		;;
	esac
	# shellcheck disable=SC2046
	echo -netdev "$_nd" $(toro_qemu_nic "$_m" n0 "$TORO_QEMU_NIC")
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

# toro_qemu_status STATUS OUTPUT prints main's status, given QEMU's exit
# STATUS and the file OUTPUT holding what QEMU wrote to stderr: it undoes
# isa-debug-exit's (v << 1) | 1.  A status above 127 does not fit there
# (QEMU's status keeps 7 bits of it): the kernel says it on the console
# first ("toro: exit status N"), and when OUTPUT holds the console too,
# that N is printed.  It prints 255 when QEMU ended any other
# way that it can tell: QEMU's own error (status 1, as for "main returned
# 0", but with a "qemu-system-x86_64:" line that is no warning), a triple
# fault (-no-reboot ends QEMU with 0) or timeout's 124.
toro_qemu_status() {
	if [ "$1" -eq 1 ] && grep '^qemu-system-x86_64: ' "$2" 2>/dev/null |
	    grep -qv '^qemu-system-x86_64: warning: '; then
		echo 255
	elif [ $(($1 & 1)) -eq 1 ]; then
		_n=$(sed -n 's/^toro: exit status \([0-9-]*\)\r*$/\1/p' "$2" \
		    2>/dev/null | tail -1)
		if [ -n "$_n" ] && [ $((_n & 127)) -eq $((($1 >> 1) & 127)) ]
		then
			echo "$_n"
		else
			echo $(($1 >> 1))
		fi
	else
		echo 255
	fi
}

# toro_qemu_boot OUT MACHINE CPUS IMAGE CMDLINE [QEMU OPTION...]: boot
# IMAGE with 64 MiB (two minutes at most), its console in OUT without
# carriage returns; returns main's status (toro_qemu_status).
toro_qemu_boot() {
	_out=$1 _m=$2 _cpus=$3 _img=$4 _cmd=$5 _s=0
	shift 5
	# shellcheck disable=SC2046
	timeout 120 qemu-system-x86_64 $(toro_qemu_args "$_m" "$_cpus" 64) \
	    "$@" -kernel "$(toro_qemu_kernel "$_m" "$_img")" \
	    -append "$_cmd" >"$_out" 2>&1 </dev/null || _s=$?
	tr -d '\r' <"$_out" >"$_out.tmp" && mv "$_out.tmp" "$_out"
	return "$(toro_qemu_status "$_s" "$_out")"
}

# toro_qemu_gdb IMAGE QEMU-ARGUMENT...: QEMU stopped at its first
# instruction with its gdb stub on a free port of 127.0.0.1, and gdb
# attached to it with IMAGE's symbols (linked at its load address, so
# they need no offset) and Toro's helpers.
toro_qemu_gdb() {
	_img=$1 _port=1234 _s=0
	shift
	# Installed, toro.py is beside this file (sdk/local.mk); in the
	# tree, it is in tools/gdb.
	_py=$(dirname "$0")/gdb/toro.py
	[ -f "$_py" ] || _py=$(dirname "$0")/../../tools/gdb/toro.py
	[ -f "$_py" ] || {
		echo "qemu.sh: no gdb/toro.py beside $0" >&2
		return 2
	}
	# A port nobody answers on (bash's /dev/tcp; sh says no at once).
	while bash -c "exec 3<>/dev/tcp/127.0.0.1/$_port" 2>/dev/null; do
		_port=$((_port + 1))
	done
	# A session of its own: Ctrl-C in gdb must not reach QEMU too.
	setsid qemu-system-x86_64 "$@" -gdb "tcp:127.0.0.1:$_port" -S \
	    </dev/null &
	_qpid=$!
	echo "qemu.sh: QEMU waits on 127.0.0.1:$_port: \`continue\` boots" \
	    "it, Ctrl-C stops it; then \`toro threads\`, \`toro bt N\`" >&2
	gdb -q -x "$_py" \
	    -ex "target remote 127.0.0.1:$_port" "$_img" || _s=$?
	kill "$_qpid" 2>/dev/null
	wait "$_qpid" 2>/dev/null
	return $_s
}

# As a command: run IMAGE under QEMU and exit with main's status.
#
#	qemu.sh [--machine microvm|q35|pc] [--cpus N] [--mem MB]
#	    [--accel tcg|kvm] [--net user|tap:IFNAME|none]
#	    [--port [udp:]HOST:GUEST]... [--pcap FILE]
#	    [--disk FILE[:ro] | --share DIR] [--gdb] IMAGE
#	    [-- KERNEL COMMAND LINE...]
#
# The defaults: microvm, 2 CPUs, 128 MiB, TCG, user networking.  --share
# shows folder DIR as a FAT16 disk through QEMU's vvfat (fat:rw:),
# which writes back what the kernel changes.  --gdb: see toro_qemu_gdb.
# A bad option prints one line and exits with status 2.
toro_qemu_main() {
	_m=microvm _cpus=2 _mem=128 _net=user _pcap='' _disk='' _share=''
	_gdb='' _fwd='' _img=''
	_die() {
		echo "qemu.sh: $*" >&2
		exit 2
	}
	while [ $# -gt 0 ]; do
		case $1 in
		--*=*)
			_o=${1%%=*}
			_v=${1#*=}
			shift
			set -- "$_o" "$_v" "$@"
			;;
		--gdb)
			_gdb=1
			shift
			;;
		--)
			shift
			break
			;;
		--machine | --cpus | --mem | --accel | --net | --port | --pcap | \
		    --disk | --share)
			[ $# -ge 2 ] || _die "$1 needs a value"
			case $1 in
			--machine) _m=$2 ;;
			--cpus) _cpus=$2 ;;
			--mem) _mem=$2 ;;
			--accel) TORO_QEMU_ACCEL=$2 ;;
			--net) _net=$2 ;;
			--port) _fwd="$_fwd $2" ;;
			--pcap) _pcap=$2 ;;
			--disk) _disk=$2 ;;
			--share) _share=$2 ;;
			esac
			shift 2
			;;
		-*) _die "unknown option $1" ;;
		*)
			[ -z "$_img" ] || _die "one image, not '$_img' and '$1'"
			_img=$1
			shift
			;;
		esac
	done
	[ -n "$_img" ] || _die "no image"
	[ -f "$_img" ] || _die "no image '$_img'"
	case $_cpus in '' | *[!0-9]* | 0*) _die "--cpus wants a number >= 1" ;; esac
	case $_mem in '' | *[!0-9]*) _die "--mem wants a number of MiB" ;; esac
	[ "$_mem" -ge 8 ] || _die "--mem wants at least 8 MiB"
	case ${TORO_QEMU_ACCEL:-tcg} in
	tcg) ;;
	kvm)
		[ -w /dev/kvm ] || _die "KVM is not available here" \
		    "(/dev/kvm is missing or not writable); use TCG"
		;;
	*) _die "--accel wants tcg or kvm" ;;
	esac
	[ -z "$_disk" ] || [ -z "$_share" ] ||
	    _die "--disk and --share both make disk 0: give one"
	[ -z "$_share" ] || [ -d "$_share" ] || _die "--share: no folder '$_share'"
	[ -z "$_disk" ] || [ -f "${_disk%:ro}" ] ||
	    _die "--disk: no file '${_disk%:ro}'"
	# Each helper says what is wrong with its part.
	# shellcheck disable=SC2086
	_qargs=$(toro_qemu_args "$_m" "$_cpus" "$_mem") || exit 2
	# shellcheck disable=SC2086
	_nargs=$(toro_qemu_net "$_m" "$_net" $_fwd) || exit 2
	if [ -n "$_pcap" ]; then
		[ "$_net" != none ] || _die "--pcap needs a network"
		_nargs="$_nargs -object filter-dump,id=f0,netdev=n0,file=$_pcap"
	fi
	_dargs=
	case $_disk in
	'') ;;
	*:ro) _dargs=$(toro_qemu_disk "$_m" "${_disk%:ro}" ro) || exit 2 ;;
	*) _dargs=$(toro_qemu_disk "$_m" "$_disk") || exit 2 ;;
	esac
	if [ -n "$_share" ]; then
		_dargs=$(toro_qemu_disk "$_m" "fat:rw:$(cd "$_share" && pwd)") ||
		    exit 2
	fi
	_kern=$(toro_qemu_kernel "$_m" "$_img")
	if [ -n "$_gdb" ]; then
		# shellcheck disable=SC2086
		toro_qemu_gdb "$_img" $_qargs $_nargs $_dargs -kernel "$_kern" \
		    -append "$*"
		exit
	fi
	_err=$(mktemp)
	_s=0
	# stderr is shown as it comes and kept for toro_qemu_status.
	# shellcheck disable=SC2086
	{ qemu-system-x86_64 $_qargs $_nargs $_dargs -kernel "$_kern" \
	    -append "$*" 2>&1 1>&3 3>&- || echo $? >"$_err.s"; } 3>&1 |
	    tee "$_err" >&2
	[ ! -f "$_err.s" ] || _s=$(cat "$_err.s")
	_s=$(toro_qemu_status "$_s" "$_err")
	rm -f "$_err" "$_err.s"
	exit "$_s"
}

case ${0##*/} in
qemu.sh) toro_qemu_main "$@" ;;
esac
