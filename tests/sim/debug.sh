#!/bin/bash
# debug.sh: the debugging aids in the simulator.  The watchdog names a
# thread that keeps its CPU too long (tests/sim/stuck), on 2 CPUs and on
# 1, once per episode, while the machine carries on; it stays quiet about
# idle CPUs and when off, and refuses a bad value.
. "$srcdir/tests/tap.sh"
plan 10

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out

# stuck CPUS KERNEL-WORDS...: run tests/sim/stuck, output in $out.
stuck() {
	local cpus=$1
	shift
	timeout 60 tests/sim/stuck --cpus "$cpus" -- "$@" >"$out" 2>&1
}

# reported CPU: exactly one report, naming spinner on CPU, with a
# backtrace, and the thread and machine went on to the end.
reported() {
	grep -Eq "^toro: watchdog: CPU $1 stuck for [0-9]+\.[0-9] s in thread \"spinner\"$" "$out" &&
	    grep -Eq "^toro: watchdog: pc 0x[0-9a-f]+ sp 0x[0-9a-f]+ fp 0x[0-9a-f]+$" "$out" &&
	    grep -Eq "^  #0 0x[0-9a-f]+$" "$out" &&
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
