#!/bin/bash
# boot.sh: the native image under QEMU (TCG): hello on microvm and q35
# (PVH) and pc (Multiboot) with 1, 2, 4 and 8 CPUs, output and exit status;
# the boot protocol each machine used; the boot phases; threads and
# ticker on microvm.
. "$srcdir/tests/tap.sh"
plan 22

if ! command -v qemu-system-x86_64 >/dev/null; then
	for i in $(seq 22); do skip "qemu-system-x86_64 is not installed"; done
	exit 0
fi
. "$srcdir/hal/native/qemu.sh"

out=$(mktemp)
trap 'rm -f "$out"' EXIT

# boot MACHINE CPUS IMAGE CMDLINE [QEMU OPTION...]: main's status.
# microvm and q35 get the image's PVH-only twin (see hal/native/qemu.sh).
boot() { toro_qemu_boot "$out" "$@"; }

hello_ok() {
	local m=$1 n=$2 i
	boot "$m" "$n" out/native/hello.elf "" || { note <"$out"; return 1; }
	for ((i = 0; i < n; i++)); do
		grep -qx "Hello from CPU $i of $n" "$out" ||
		    { note <"$out"; return 1; }
	done
	[ "$(grep -c '^Hello from CPU' "$out")" -eq "$n" ]
}

for m in microvm q35 pc; do
	for n in 1 2 4 8; do
		check "hello on $m with $n CPUs" hello_ok $m $n
	done
done

# Which boot protocol did each machine use?
proto_ok() {
	boot "$1" 1 out/native/hello.elf "loglevel=debug" ||
	    { note <"$out"; return 1; }
	grep -q "booted via $2" "$out" || { note <"$out"; return 1; }
}
check "microvm boots via PVH" proto_ok microvm pvh
check "q35 boots via PVH" proto_ok q35 pvh
check "pc boots via Multiboot" proto_ok pc multiboot

# loglevel=debug's boot phases, on microvm (PVH) and pc (Multiboot).
phases_ok() {
	boot "$1" 2 out/native/hello.elf "loglevel=debug" ||
	    { note <"$out"; return 1; }
	boot_phases_ok "$out" "first instruction" "memory map" paging \
	    "CPUs up" devices main
}
check "microvm: loglevel=debug prints the boot phases in order" \
    phases_ok microvm
check "pc: loglevel=debug prints the boot phases in order" phases_ok pc

threads_ok() {
	boot microvm 2 out/native/threads.elf "500" ||
	    { note <"$out"; return 1; }
	grep -qx "500 round trips between CPU 0 and CPU 1" "$out" ||
	    { note <"$out"; return 1; }
}
check "threads on microvm with 2 CPUs" threads_ok

# Idle policies on 2 CPUs: poll, and mwait on a CPU model that has it.
idle_ok() {
	# shellcheck disable=SC2086
	boot microvm 2 out/native/threads.elf "idle=$1 500" $2 ||
	    { note <"$out"; return 1; }
	grep -q "500 round trips between CPU 0 and CPU 1" "$out" &&
	    ! grep -q "halting instead" "$out" || { note <"$out"; return 1; }
}
check "threads with idle=poll:200 on microvm" idle_ok poll:200 ""
check "threads with idle=mwait on microvm, -cpu max" idle_ok mwait "-cpu max"

ticker_ok() {
	boot microvm 2 out/native/ticker.elf "2" || { note <"$out"; return 1; }
	grep -qx "tick 2" "$out" || { note <"$out"; return 1; }
}
check "ticker 2 on microvm with 2 CPUs" ticker_ok

status_ok() {
	boot microvm 1 out/native/threads.elf "nonsense"
	[ $? -eq 2 ] || { note <"$out"; return 1; }
}
check "main's return value reaches QEMU's exit status" status_ok
