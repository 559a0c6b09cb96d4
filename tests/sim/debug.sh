#!/bin/bash
# debug.sh: the debugging aids in the simulator.  The watchdog names a
# thread that keeps its CPU too long (out/tests/sim/stuck), on 2 CPUs and on
# 1, once per episode, while the machine carries on; it stays quiet about
# idle CPUs and when off, and refuses a bad value.  gdb with
# tools/gdb/toro.py, attached to a running ticker, lists its kernel
# threads with their states and prints a sleeping thread's backtrace from
# its saved context; a program run under it gets the watchdog's signal.
. "$srcdir/tests/tap.sh"
plan 16

tmp=$(mktemp -d)
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
out=$tmp/out

# stuck CPUS KERNEL-WORDS...: run out/tests/sim/stuck, output in $out.
stuck() {
	local cpus=$1
	shift
	timeout 60 out/tests/sim/stuck --cpus "$cpus" -- "$@" >"$out" 2>&1
}

# reported CPU: exactly one report, naming spinner on CPU, with a
# backtrace, and the thread and machine went on to the end.
reported() {
	grep -Eq "^toro: watchdog: CPU $1 stuck for [0-9]+\.[0-9] s in thread \"spinner\"$" "$out" &&
	    grep -Eq "^toro: watchdog: pc 0x[0-9a-f]+ sp 0x[0-9a-f]+ fp 0x[0-9a-f]+$" "$out" &&
	    grep -Eq "^  #[0-9]+ 0x[0-9a-f]+ spinner\+0x[0-9a-f]+$" "$out" &&
	    [ "$(grep -c '^toro: watchdog: CPU' "$out")" -eq 1 ] &&
	    grep -qx "spinner done" "$out" || { note <"$out"; return 1; }
}

stuck 2 watchdog=1 3
check "a stuck thread on 2 CPUs: the machine carries on" test $? -eq 0
check "the watchdog names spinner on CPU 1, once, with a backtrace" reported 1
stuck 1 watchdog=1 3
check "a stuck thread on 1 CPU: the machine carries on" test $? -eq 0
check "the watchdog names spinner on CPU 0, once, with a backtrace" reported 0

quiet() { ! grep -q "watchdog" "$out" || { note <"$out"; return 1; }; }
stuck 2 watchdog=0 2
check "watchdog=0: the stuck run ends well" test $? -eq 0
check "watchdog=0 reports nothing" quiet
timeout 60 out/sim/ticker --cpus 2 -- watchdog=1 3 >"$out" 2>&1
check "ticker with watchdog=1 ends well" test $? -eq 0
check "idle CPUs are never reported" quiet
stuck 1 watchdog=soon
check "a bad watchdog= stops the boot" test $? -eq 125
check "the bad value is named" grep -q "watchdog=soon" "$out"

if ! command -v gdb >/dev/null; then
	for i in $(seq 6); do skip "gdb is not installed"; done
	exit 0
fi

# gdb in batch mode with the helpers; -nx: no personal .gdbinit.
tgdb() { timeout 60 gdb -nx -q -batch -x "$srcdir/tools/gdb/toro.py" "$@"; }

out/sim/ticker --cpus 2 -- 60 >"$tmp/ticker" 2>&1 &
pid=$!
sleep 1.5
tgdb -p "$pid" -ex "toro threads" >"$out" 2>&1

listed() {
	# main joins; each CPU runs its idle thread and has a sleeping ticker.
	grep -Eq "^  0 +[0-9]+ +main +BLOCKED +join$" "$out" &&
	    grep -Eq "^\* 0 +0 +idle +RUNNING" "$out" &&
	    grep -Eq "^\* 1 +1 +idle +RUNNING" "$out" &&
	    grep -Eq "^  0 +[0-9]+ +t[0-9]+ +BLOCKED +sleep, until " "$out" &&
	    grep -Eq "^  1 +[0-9]+ +t[0-9]+ +BLOCKED +sleep, until " "$out" ||
	    { note <"$out"; return 1; }
}
check "toro threads lists ticker's threads, states and waits" listed

id=$(sed -En 's/^  1 +([0-9]+) +t[0-9]+ +BLOCKED +sleep.*/\1/p' "$out")
tgdb -p "$pid" -ex "toro bt ${id:-none}" -ex "toro bt 1" >"$out" 2>&1
bt_ok() {
	file_has "$out" \
	    "^#[0-9] +0x[0-9a-f]+ in sched_block at core/sched/sched.c:[0-9]+$" \
	    "^#[0-9] +0x[0-9a-f]+ in toro_sleep_ns at core/sched/thread.c:[0-9]+$" \
	    "^#[0-9] +0x[0-9a-f]+ in ticker at examples/ticker/main.c:[0-9]+$"
}
check "toro bt of a sleeping thread goes through sched_block to ticker" bt_ok
check "toro bt of a running thread points to its CPU's gdb thread" \
    grep -Eq "it is running.*\`thread [0-9]+\`, then \`bt\`" "$out"
alive() { kill -0 "$pid" 2>/dev/null || { note <"$tmp/ticker"; return 1; }; }
check "the ticker runs on after gdb detaches" alive
kill "$pid"
wait "$pid" 2>/dev/null
pid=

tgdb -ex run --args out/tests/sim/stuck --cpus 2 -- watchdog=1 2 >"$out" 2>&1
check "under gdb the watchdog's signal passes silently" \
    grep -Eq "^\[Inferior 1 \(process [0-9]+\) exited normally\]$" "$out"
check "under gdb the watchdog still names spinner" reported 1
