#!/bin/bash
# power.sh: the host's requests to stop, while tests/programs/waitstop
# waits.  The power button, which is how a VM runner asks a guest to
# shut down: QEMU's system_powerdown (its monitor, on a Unix socket);
# and Ctrl-Alt-Del on the i8042 keyboard controller (Firecracker's way:
# QEMU's sendkey here, on q35 and pc).
# On microvm (HW-reduced ACPI: the Generic Event Device), q35 and pc
# (the FADT's fixed button and the SCI), the machine says it was
# stopped by the host and powers off, and the stop is clean: the file
# the program wrote and never synced is on the disk image afterwards
# (mtype), and fsck.fat finds the volume clean.  A program with its own
# SIGTERM and SIGINT handler (waitstop -h) gets the request instead and
# ends itself: natively the button is SIGTERM; in the sim, SIGTERM and
# SIGINT arrive as themselves.  QEMU under TCG; not timed, beyond a 60 s
# limit a run.
. "$srcdir/tests/tap.sh"
plan 11

need=""
for c in qemu-system-x86_64 mformat mtype fsck.fat python3; do
	command -v "$c" >/dev/null || need="$need $c"
done
if [ -n "$need" ]; then
	for i in $(seq 11); do skip "not installed:$need"; done
	exit 0
fi
if [ ! -f out/tests/native/waitstop.elf ]; then
	for i in $(seq 11); do fail "out/tests/native/waitstop.elf is not built"; done
	exit 0
fi
. "$srcdir/hal/native/qemu.sh"

tmp=$(mktemp -d)
qemu=
sim=
cleanup() {
	[ -n "$qemu" ] && kill "$qemu" 2>/dev/null
	[ -n "$sim" ] && kill "$sim" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
line="written before the power button"
press_with=system_powerdown

# press MACHINE [-h]: boot waitstop with a fresh FAT16 image as disk 0,
# press the power button once it waits (or what $press_with says to
# QEMU's monitor), and wait for QEMU's end; its
# console in $tmp/MACHINE.out, the image in $tmp/MACHINE.img, main's
# status in $status.  False when any step failed, or (without -h) the
# machine did not say it was stopped or its status is not 130 (which
# QEMU's 7 bits of isa-debug-exit cannot carry: the kernel says it on
# the console for toro_qemu_status).  The console goes to the log.
press() {
	local m=$1 img=$tmp/$1.img out=$tmp/$1.out mon=$tmp/$1.sock
	truncate -s 32M "$img" && mformat -i "$img" -T 65536 -h 64 -s 32 \
	    -c 8 :: || return 1
	# shellcheck disable=SC2046
	timeout 60 qemu-system-x86_64 $(toro_qemu_args "$m" 1 128) \
	    -monitor "unix:$mon,server=on,wait=off" \
	    $(toro_qemu_disk "$m" "$img") \
	    -kernel "$(toro_qemu_kernel "$m" out/tests/native/waitstop.elf)" \
	    -append "${2:-} /STOP.TXT" </dev/null >"$out" 2>&1 &
	qemu=$!
	wait_for "$out" "waitstop: waiting" 600 || return 1
	python3 - "$mon" "$press_with" <<'EOF' || return 1
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(10)
s.recv(4096)  # the monitor's banner
s.sendall(sys.argv[2].encode() + b"\n")
time.sleep(0.2)
EOF
	status=0
	wait "$qemu" || status=$?
	qemu=
	status=$(toro_qemu_status "$status" "$out")
	[ -n "${2:-}" ] && return 0
	grep -q "stopped by the host" "$out" && [ "$status" -eq 130 ] &&
	    return 0
	note <"$out"
	echo "status $status" | note
	return 1
}

# on_disk MACHINE: the line is in /STOP.TXT and the volume is clean.
on_disk() {
	local img=$tmp/$1.img
	[ "$(mtype -i "$img" ::STOP.TXT 2>&1)" = "$line" ] &&
	    fsck.fat -n "$img" >"$tmp/fsck" 2>&1 && return 0
	mtype -i "$img" ::STOP.TXT 2>&1 | note
	note <"$tmp/fsck"
	return 1
}

for m in microvm q35 pc; do
	case $m in
	microvm) how="the Generic Event Device" ;;
	*) how="the fixed button's SCI" ;;
	esac
	if press $m; then
		ok "$m: the power button ($how) stops the machine, status 130"
		check "$m: the file written before it, never synced, is on the disk; fsck.fat finds the volume clean" \
		    on_disk $m
	else
		fail "$m: the power button ($how) stops the machine, status 130"
		fail "$m: the file written before it is on the disk (no stop)"
	fi
done

# The program's own handler: the button is SIGTERM, and main returns 3.
handled() {
	grep -q "waitstop: got signal $1" "$2" && [ "$status" -eq 3 ] &&
	    ! grep -q "stopped by the host" "$2" && return 0
	note <"$2"
	echo "status $status" | note
	return 1
}
if press microvm -h; then
	check "microvm: with a SIGTERM handler, the power button runs it and the program ends itself" \
	    handled 15 "$tmp/microvm.out"
else
	fail "microvm: with a SIGTERM handler, the power button runs it" \
	    "(no run)"
fi

# The sim: SIGTERM and SIGINT from the host, each as itself.
for sig in TERM INT; do
	n=15
	[ $sig = INT ] && n=2
	out=$tmp/sim-$sig.out
	out/tests/sim/waitstop --net none -- -h >"$out" 2>&1 &
	sim=$!
	status=0
	if wait_for "$out" "waitstop: waiting" 600; then
		kill -$sig $sim
		wait $sim || status=$?
	else
		kill $sim
		status=255
	fi
	sim=
	check "sim: SIG$sig from the host runs the program's handler, which ends it" \
	    handled $n "$out"
done

# Ctrl-Alt-Del on the i8042 (how Firecracker's SendCtrlAltDel stops a
# guest): QEMU's sendkey on q35, and on pc to a program with handlers,
# where it is SIGINT.
press_with="sendkey ctrl-alt-delete"
if press q35; then
	ok "q35: Ctrl-Alt-Del (the i8042) stops the machine, status 130"
else
	fail "q35: Ctrl-Alt-Del (the i8042) stops the machine, status 130"
fi
if press pc -h; then
	check "pc: with handlers, Ctrl-Alt-Del is SIGINT to the program, which ends itself" \
	    handled 2 "$tmp/pc.out"
else
	fail "pc: with handlers, Ctrl-Alt-Del is SIGINT to the program (no run)"
fi
