#!/bin/bash
# random.sh: getrandom() and getentropy() on both targets
# (tests/programs/random), over the kernel's generator (core/lib/random.c).
# Two boots draw different bytes; the simulator keys it from the host and
# says nothing; QEMU's default TCG CPU has no RDRAND, so the native kernel
# keys it from clock jitter and says so with loglevel=info; with `-cpu
# max` (RDRAND) it does not.
. "$srcdir/tests/tap.sh"
plan 6

if ! command -v qemu-system-x86_64 >/dev/null; then
	for i in 1 2 3 4 5 6; do skip "no qemu-system-x86_64"; done
	exit 0
fi
. "$srcdir/hal/native/qemu.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
draw() { sed -n 's/^random: \([0-9a-f]\{32\}\)$/\1/p' "$1"; }

for i in 1 2; do
	timeout 60 out/tests/sim/random --net none -- loglevel=info \
	    >"$tmp/sim$i" 2>&1
	echo $? >"$tmp/sim$i.s"
done
check "sim: every check of getrandom/getentropy passes" \
    eval '[ "$(cat "$tmp/sim1.s")" = 0 ] && file_has "$tmp/sim1" "^random: ok$" ||
	{ note <"$tmp/sim1"; false; }'
check "sim: two boots draw different bytes, keyed by the host" \
    eval '[ -n "$(draw "$tmp/sim1")" ] && [ -n "$(draw "$tmp/sim2")" ] &&
	[ "$(draw "$tmp/sim1")" != "$(draw "$tmp/sim2")" ] &&
	! grep -q "no entropy source" "$tmp/sim1"'

for i in 1 2; do
	s=0
	toro_qemu_boot "$tmp/mvm$i" microvm 1 out/tests/native/random.elf \
	    "loglevel=info" || s=$?
	echo $s >"$tmp/mvm$i.s"
done
check "microvm: every check passes" \
    eval '[ "$(cat "$tmp/mvm1.s")" = 0 ] && file_has "$tmp/mvm1" "^random: ok$" ||
	{ note <"$tmp/mvm1"; false; }'
check "microvm: two boots draw different bytes (clock jitter)" \
    eval '[ -n "$(draw "$tmp/mvm1")" ] &&
	[ "$(draw "$tmp/mvm1")" != "$(draw "$tmp/mvm2")" ]'
check "microvm, no RDRAND: the kernel says it keys from clock jitter" \
    file_has "$tmp/mvm1" "no entropy source"
s=0
toro_qemu_boot "$tmp/max" microvm 1 out/tests/native/random.elf \
    "loglevel=info" -cpu max || s=$?
check "microvm -cpu max (RDRAND): keyed by the CPU, no warning" \
    eval '[ $s -eq 0 ] && file_has "$tmp/max" "^random: ok$" &&
	! grep -q "no entropy source" "$tmp/max" || { note <"$tmp/max"; false; }'
