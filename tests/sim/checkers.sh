#!/bin/bash
# checkers.sh: the simulator under Valgrind's memcheck: the examples and a
# thread-churn program run with no error reported.  (The sanitizer
# builds are tests/sanit/'s.)
. "$srcdir/tests/tap.sh"
plan 4

if ! command -v valgrind >/dev/null; then
	for i in 1 2 3 4; do skip "valgrind is not installed"; done
	exit 0
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT

vg() {
	timeout 300 valgrind -q --error-exitcode=99 "$@" >"$out" 2>&1 ||
	    { note <"$out"; return 1; }
}
check "hello on 2 CPUs under memcheck" vg out/sim/hello --cpus 2
check "threads on 2 CPUs under memcheck" vg out/sim/threads --cpus 2 -- 300
check "ticker on 2 CPUs under memcheck" vg out/sim/ticker --cpus 2 -- 1
churn() { vg out/tests/sim/churn --cpus 2 && grep -qx "churn done" "$out"; }
check "thread churn and stack reuse under memcheck" churn
