#!/bin/bash
# debug.sh: the debugging aids of the native image under QEMU (TCG).  The
# watchdog names a thread that keeps CPU 1 too long (tests/native/stuck
# on microvm with 2 CPUs: CPU 0, idle, watches it and sends the NMI)
# while the machine carries on.
. "$srcdir/tests/tap.sh"
plan 2

if ! command -v qemu-system-x86_64 >/dev/null; then
	for i in $(seq 2); do skip "qemu-system-x86_64 is not installed"; done
	exit 0
fi
. "$srcdir/hal/native/qemu.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out

# isa-debug-exit gives (v << 1) | 1.
s=0
# shellcheck disable=SC2046
timeout 120 qemu-system-x86_64 $(toro_qemu_args microvm 2 64) \
    -kernel "$(toro_qemu_kernel microvm tests/native/stuck.elf)" \
    -append "watchdog=1 3" >"$out" 2>&1 </dev/null || s=$?
tr -d '\r' <"$out" >"$out.tmp" && mv "$out.tmp" "$out"
check "a stuck thread on CPU 1: the machine carries on" test "$s" -eq 1
reported() {
	grep -Eq "^toro: watchdog: CPU 1 stuck for [0-9]+\.[0-9] s in thread \"spinner\"$" "$out" &&
	    grep -Eq "^toro: watchdog: pc 0x[0-9a-f]+ sp 0x[0-9a-f]+ fp 0x[0-9a-f]+$" "$out" &&
	    grep -Eq "^  #0 0x[0-9a-f]+$" "$out" &&
	    [ "$(grep -c '^toro: watchdog: CPU' "$out")" -eq 1 ] &&
	    grep -qx "spinner done" "$out" || { note <"$out"; return 1; }
}
check "the watchdog names spinner on CPU 1, once, with a backtrace" reported
