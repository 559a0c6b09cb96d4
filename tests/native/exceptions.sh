#!/bin/bash
# exceptions.sh: exceptions in the native image under QEMU (TCG): the
# example, every CPU exception caught (#DE, #PF at NULL, #UD, #GP, a
# stack overflow on the guard page, and user ones), uncaught ones ending
# only their thread with a report that names the faulting function from
# the image's own symbol table, main's death as status 123, nesting,
# re-raise, an overflow beside another stack, and a block left by return.
. "$srcdir/tests/tap.sh"
plan 21

if ! command -v qemu-system-x86_64 >/dev/null; then
	for i in $(seq 21); do skip "qemu-system-x86_64 is not installed"; done
	exit 0
fi
. "$srcdir/hal/native/qemu.sh"

out=$(mktemp)
trap 'rm -f "$out"' EXIT

kinds="divide null opcode protection overflow user"

# boot MACHINE CPUS IMAGE CMDLINE: QEMU's status mapped back to main's.
boot() { toro_qemu_boot "$out" "$@"; }

has() { file_has "$out" "$@"; }

example_ok() {
	boot microvm 2 out/native/exceptions.elf "" || { note <"$out"; return 1; }
	has "^caught divide error: in divide\+0x" \
	    "^caught page fault at address 0x0$" \
	    "^caught user exception 34: size 1000 is over 100$" \
	    "uncaught exception in thread worker \(id [0-9]+\) on CPU 1" \
	    "in load\+0x" "#1 0x[0-9a-f]+ worker\+0x" \
	    "^the worker died; main goes on$"
}
check "the exceptions example on microvm with 2 CPUs" example_ok

catch_ok() {
	boot "$1" 2 out/tests/native/faults.elf "catch $2" ||
	    { note <"$out"; return 1; }
	has "^catch $2 ok$"
	[ "$2" = user ] || has "^worker: caught .* in crash_$2\+0x"
}
for k in $kinds; do
	check "$k caught on microvm, main and CPU 1" catch_ok microvm "$k"
done
check "overflow caught on pc (Multiboot)" catch_ok pc overflow

worker_ok() {
	boot microvm 2 out/tests/native/faults.elf "worker $1" ||
	    { note <"$out"; return 1; }
	has "uncaught exception in thread victim \(id [0-9]+\) on CPU 1" \
	    "#[0-9]+ 0x[0-9a-f]+ crash_$1\+0x" "^toro: thread victim ends" \
	    "^bystander 4$" "^victim aborted, bystander done$" \
	    "^main goes on$"
	[ "$1" = user ] || has "^registers:$" " rip [0-9a-f]{16}"
}
for k in $kinds; do
	check "uncaught $k in a worker: reported, only it ends" worker_ok "$k"
done

main_ok() {
	boot microvm 1 out/tests/native/faults.elf "main $1"
	[ $? -eq 123 ] || { note <"$out"; return 1; }
	has "uncaught exception in thread main" "crash_$1\+0x" \
	    "main died: powering off \(status 123\)"
}
check "uncaught null in main: status 123" main_ok null
check "stack overflow in main: status 123" main_ok overflow

check "nested blocks" eval \
    'boot microvm 2 out/tests/native/faults.elf nested && has "^nested ok$"'
check "re-raise" eval \
    'boot microvm 2 out/tests/native/faults.elf reraise && has "^reraise ok$"'
check "an overflow beside another stack leaves it intact" eval \
    'boot microvm 2 out/tests/native/faults.elf neighbour &&
    has "^overflower ok, pattern intact$" "is below the 16384-byte stack"'

check "overflows in threads reusing dead threads' stacks" eval \
    'boot microvm 1 out/tests/native/faults.elf reuse && has "^reuse ok$"'

stale_ok() {
	boot microvm 1 out/tests/native/faults.elf stale
	[ $? -eq 125 ] || { note <"$out"; return 1; }
	has "a TORO_TRY block was left by return"
}
check "a block left by return is a panic" stale_ok
