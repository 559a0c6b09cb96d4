#!/bin/bash
# exceptions.sh: exceptions in the simulator: the example, every fault
# kind caught on two CPUs, uncaught ones ending only their thread (or
# the machine, for main) with a report naming the faulting function,
# nesting, re-raise, a stack overflow beside another thread's stack, a
# block left by return, signals that are not faults, and Valgrind.
. "$srcdir/tests/tap.sh"
plan 31

out=$(mktemp)
trap 'rm -f "$out"' EXIT

kinds="divide null opcode protection overflow user"

# faults CPUS ARGS...: the fault matrix (tests/programs/faults/main.c); output in
# $out, returns its status.
faults() {
	local cpus=$1
	shift
	timeout 60 out/tests/sim/faults --cpus "$cpus" -- "$@" >"$out" 2>&1
}

# has PATTERN...: every extended regular expression is in $out.
has() { file_has "$out" "$@"; }

example_ok() {
	timeout 60 out/sim/exceptions --cpus "$1" >"$out" 2>&1 ||
	    { note <"$out"; return 1; }
	has "^caught divide error: in divide\+0x" \
	    "^caught page fault at address 0x0$" \
	    "^caught user exception 34: size 1000 is over 100$" \
	    "uncaught exception in thread worker \(id [0-9]+\) on CPU $(($1 - 1))" \
	    "page fault: read at 0x0 \(NULL pointer\), in load\+0x" \
	    "#1 0x[0-9a-f]+ worker\+0x" \
	    "^the worker died; main goes on$"
}
check "the exceptions example on 1 CPU" example_ok 1
check "the exceptions example on 2 CPUs" example_ok 2

catch_ok() {
	faults 2 catch "$1" || { note <"$out"; return 1; }
	has "^catch $1 ok$"
	[ "$1" = user ] || has "^worker: caught .* in crash_$1\+0x"
}
for k in $kinds; do
	check "$k caught in main and on another CPU, three times" catch_ok "$k"
done

# The victim dies; the bystander on its CPU and main go on.
worker_ok() {
	local cpus=$1 k=$2
	faults "$cpus" worker "$k" || { note <"$out"; return 1; }
	has "uncaught exception in thread victim \(id [0-9]+\) on CPU $((cpus - 1))" \
	    "#[0-9]+ 0x[0-9a-f]+ crash_$k\+0x" "^backtrace:$" \
	    "^toro: thread victim ends" "^bystander 4$" \
	    "^victim aborted, bystander done$" "^main goes on$"
	[ "$k" = user ] || has "^registers:$" " rip [0-9a-f]{16} rflags"
}
for k in $kinds; do
	check "uncaught $k in a worker: reported, only it ends" worker_ok 2 "$k"
done
check "uncaught null on a 1-CPU machine: only the victim ends" \
    worker_ok 1 null

main_ok() {
	faults 2 main "$1"
	[ $? -eq 123 ] || { note <"$out"; return 1; }
	has "uncaught exception in thread main" "crash_$1\+0x" \
	    "main died: powering off \(status 123\)"
}
check "uncaught null in main powers off with status 123" main_ok null
check "stack overflow in main powers off with status 123" main_ok overflow
check "uncaught user exception in main: status 123" main_ok user

check "nested blocks, in a function and across calls" \
    eval 'faults 2 nested && has "^nested ok$"'
check "re-raise of a fault and of a user exception" \
    eval 'faults 2 reraise && has "^reraise ok$"'
check "an overflow beside another stack leaves it intact" \
    eval 'faults 2 neighbour && has "^overflower ok, pattern intact$"'
check "an overflow is reported as such, with the stack size" \
    eval 'has "overflower: caught stack overflow: 0x[0-9a-f]+ is below the 16384-byte stack"'
check "overflows in threads reusing dead threads' stacks (still guarded)" \
    eval 'faults 1 reuse && has "^reuse ok$"'

stale_ok() {
	faults 1 stale
	[ $? -eq 125 ] || { note <"$out"; return 1; }
	has "panic: thread main: a TORO_TRY block was left by return"
}
check "a block left by return is a panic at the next block" stale_ok

# A SIGSEGV someone sends is not a fault: the process dies of it.
out/sim/ticker --cpus 2 -- 3 >"$out" 2>&1 &
pid=$!
sleep 1
kill -SEGV $pid
{ wait $pid; } 2>/dev/null
check "a SIGSEGV sent by kill still kills (status 139)" test $? -eq 139

# Valgrind: the jumps are clean, and a fault's delivery (editing the
# signal context) works under it, memcheck's own report of the deliberate
# NULL read aside.
# TORO_NO_VALGRIND says why not (tests/sanit/run.sh: ASan and TSan
# builds, which Valgrind cannot run; the normal build runs these).
if [ -n "${TORO_NO_VALGRIND:-}" ]; then
	for i in 1 2 3; do skip "$TORO_NO_VALGRIND"; done
elif command -v valgrind >/dev/null; then
	vg() {
		timeout 300 valgrind -q "$@" >"$out" 2>&1
	}
	check "user exceptions under memcheck, no error" eval \
	    'vg --error-exitcode=99 out/tests/sim/faults --cpus 2 -- catch user && has "^catch user ok$"'
	check "a NULL dereference caught under valgrind" eval \
	    'vg out/tests/sim/faults --cpus 2 -- catch null && has "^catch null ok$"'
	check "a stack overflow caught under valgrind" eval \
	    'vg out/tests/sim/faults --cpus 2 -- catch overflow && has "^catch overflow ok$"'
else
	for i in 1 2 3; do skip "valgrind is not installed"; done
fi

# On 4 CPUs, the worker on the last one.
for k in divide overflow; do
	check "$k caught on 4 CPUs" eval "faults 4 catch $k && has '^catch $k ok\$'"
done
check "uncaught overflow in a worker on 4 CPUs" worker_ok 4 overflow
