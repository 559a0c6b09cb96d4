#!/bin/bash
# diff.sh: the C library against glibc, case by case (issue 11, oracle 1).
#
# tests/libc/diff/diff.c is built twice from one source: with the host's
# glibc (out/tests/libc/diff-glibc) and as a C environment program.  Both
# print the same generated cases (strto*, printf and scanf conversions,
# qsort, gmtime_r/mktime/timegm/strftime, 50 math functions);
# tests/libc/diffcmp.py compares them, prints every mismatch, counts the
# differences the standards allow, and the max ulp per math function.
# 2000 cases per group in the sim (160123 in all), 500 under QEMU.
. "$srcdir/tests/tap.sh"
plan 4

need=""
for c in qemu-system-x86_64 python3; do
	command -v "$c" >/dev/null || need="$need $c"
done
if [ -n "$need" ]; then
	for _ in $(seq 4); do skip "not installed:$need"; done
	exit 0
fi
. "$srcdir/hal/native/qemu.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

compare() { # GLIBC TORO
	python3 "$srcdir/tests/libc/diffcmp.py" "$1" "$2" >"$tmp/cmp" 2>&1
	s=$?
	note <"$tmp/cmp"
	return $s
}

out/tests/libc/diff-glibc 2000 >"$tmp/glibc" 2>&1
timeout 300 out/tests/libc/diff --net none -- 2000 >"$tmp/sim" 2>&1
s=$?
check "sim: the generator runs to its end" \
    bash -c "[ $s -eq 0 ] && grep -q '^D-END ' '$tmp/sim'"
check "sim: every case agrees with glibc (or differs as the standards allow)" \
    compare "$tmp/glibc" "$tmp/sim"

out/tests/libc/diff-glibc 500 >"$tmp/glibc500" 2>&1
s=0
toro_qemu_boot "$tmp/mvm" microvm 1 out/tests/libc/diff.elf "500" || s=$?
check "microvm: the generator runs to its end" \
    bash -c "[ $s -eq 0 ] && grep -q '^D-END ' '$tmp/mvm'"
check "microvm: every case agrees with glibc (or differs as allowed)" \
    compare "$tmp/glibc500" "$tmp/mvm"
