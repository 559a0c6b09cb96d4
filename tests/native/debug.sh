#!/bin/bash
# debug.sh: the debugging aids of the native image under QEMU (TCG).  The
# watchdog names a thread that keeps CPU 1 too long (tests/native/stuck
# on microvm with 2 CPUs: CPU 0, idle, watches it and sends the NMI)
# while the machine carries on; gdb with tools/gdb/toro.py, through
# QEMU's gdb stub, lists a running ticker's kernel threads and prints a
# sleeping thread's backtrace from its saved context.
. "$srcdir/tests/tap.sh"
plan 6

if ! command -v qemu-system-x86_64 >/dev/null; then
	for i in $(seq 6); do skip "qemu-system-x86_64 is not installed"; done
	exit 0
fi
. "$srcdir/hal/native/qemu.sh"

tmp=$(mktemp -d)
qpid=
trap '[ -z "$qpid" ] || kill "$qpid" 2>/dev/null; rm -rf "$tmp"' EXIT
out=$tmp/out

# isa-debug-exit gives (v << 1) | 1.
s=0
toro_qemu_boot "$out" microvm 2 out/tests/native/stuck.elf "watchdog=1 3" ||
    s=$?
check "a stuck thread on CPU 1: the machine carries on" test "$s" -eq 0
reported() {
	grep -Eq "^toro: watchdog: CPU 1 stuck for [0-9]+\.[0-9] s in thread \"spinner\"$" "$out" &&
	    grep -Eq "^toro: watchdog: pc 0x[0-9a-f]+ sp 0x[0-9a-f]+ fp 0x[0-9a-f]+$" "$out" &&
	    grep -Eq "^  #[0-9]+ 0x[0-9a-f]+ spinner\+0x[0-9a-f]+$" "$out" &&
	    [ "$(grep -c '^toro: watchdog: CPU' "$out")" -eq 1 ] &&
	    grep -qx "spinner done" "$out" || { note <"$out"; return 1; }
}
check "the watchdog names spinner on CPU 1, once, with a backtrace" reported

if ! command -v gdb >/dev/null; then
	for i in $(seq 4); do skip "gdb is not installed"; done
	exit 0
fi

# A port nobody answers on, for QEMU's gdb stub.
port=1240
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
	port=$((port + 1))
done
# shellcheck disable=SC2046
timeout 300 qemu-system-x86_64 $(toro_qemu_args microvm 2 64) \
    -gdb "tcp:127.0.0.1:$port" \
    -kernel "$(toro_qemu_kernel microvm out/native/ticker.elf)" \
    -append "120" >"$tmp/ticker" 2>&1 </dev/null &
qpid=$!
# Wait for the first tick: every thread has started by then.
for i in $(seq 100); do
	grep -q "tick 1" "$tmp/ticker" && break
	sleep 0.2
done

# gdb in batch mode with the helpers; -nx: no personal .gdbinit.
tgdb() {
	timeout 60 gdb -nx -q -batch -x "$srcdir/tools/gdb/toro.py" \
	    -ex "target remote 127.0.0.1:$port" "$@" out/native/ticker.elf
}
tgdb -ex "toro threads" >"$out" 2>&1
listed() {
	grep -Eq "^  0 +[0-9]+ +main +BLOCKED +join$" "$out" &&
	    grep -Eq "^\* 0 +0 +idle +RUNNING" "$out" &&
	    grep -Eq "^\* 1 +1 +idle +RUNNING" "$out" &&
	    grep -Eq "^  0 +[0-9]+ +t[0-9]+ +BLOCKED +sleep, until " "$out" &&
	    grep -Eq "^  1 +[0-9]+ +t[0-9]+ +BLOCKED +sleep, until " "$out" ||
	    { note <"$out"; note <"$tmp/ticker"; return 1; }
}
check "toro threads over QEMU's gdb stub lists ticker's threads" listed

id=$(sed -En 's/^  1 +([0-9]+) +t[0-9]+ +BLOCKED +sleep.*/\1/p' "$out")
tgdb -ex "toro bt ${id:-none}" -ex "toro bt 1" >"$out" 2>&1
bt_ok() {
	file_has "$out" \
	    "^#[0-9] +0x[0-9a-f]+ in sched_block at core/sched/sched.c:[0-9]+$" \
	    "^#[0-9] +0x[0-9a-f]+ in toro_sleep_ns at core/sched/thread.c:[0-9]+$" \
	    "^#[0-9] +0x[0-9a-f]+ in ticker at examples/ticker/main.c:[0-9]+$"
}
check "toro bt of a sleeping thread goes through sched_block to ticker" bt_ok
check "toro bt of a running thread points to its vCPU's gdb thread" \
    grep -Eq "it is running.*\`thread 2\`, then \`bt\`" "$out"

# gdb detached and the machine went on: a later tick comes.
ticks() { tr -d '\r' <"$tmp/ticker" | grep -c "^tick "; }
n=$(ticks)
later() {
	local i
	for i in $(seq 50); do
		[ "$(ticks)" -gt "$n" ] && return 0
		sleep 0.2
	done
	note <"$tmp/ticker"
	return 1
}
check "the machine runs on after gdb detaches" later
