#!/bin/bash
# lua.sh: Lua 5.4 from Debian's source on Toro (issue 11, oracle 2).
#
# out/tests/libc/lua is Debian's lua5.4 interpreter built unchanged as a
# C environment program (tests/libc/oracle.mk).  Every script of
# tests/lua runs from the kernel's disk (a FAT16 image made with
# mtools), one boot each, in the sim and on microvm; what it prints must
# be byte for byte what the host's lua5.4 prints running the same script
# in a folder of its own (TZ=UTC: Toro's local time is UTC).  The
# scripts write and remove files there, so the disk is checked after.
. "$srcdir/tests/tap.sh"

scripts=$(cd "$srcdir/tests/lua" && printf '%s\n' *.lua)
n=$(echo "$scripts" | wc -w)
plan $((2 * n + 3))

need=""
for c in lua5.4 qemu-system-x86_64 mformat mcopy fsck.fat; do
	command -v "$c" >/dev/null || need="$need $c"
done
if [ -n "$need" ]; then
	for _ in $(seq $((2 * n + 3))); do skip "not installed:$need"; done
	exit 0
fi
. "$srcdir/hal/native/qemu.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/host"
cp "$srcdir"/tests/lua/*.lua "$tmp/host/"
mkimage() {
	truncate -s 32M "$1" &&
	    mformat -i "$1" -T 65536 -h 64 -s 32 -c 8 :: &&
	    mcopy -i "$1" "$srcdir"/tests/lua/*.lua ::
}
mkimage "$tmp/sim.img"
mkimage "$tmp/mvm.img"

same() { # EXPECTED GOT STATUS
	[ "$3" -eq 0 ] && cmp -s "$1" "$2" && return 0
	echo "status $3" | note
	diff "$1" "$2" | head -20 | note
	return 1
}

for s in $scripts; do
	(cd "$tmp/host" && TZ=UTC lua5.4 "$s") >"$tmp/$s.host" 2>&1
	st=0
	timeout 60 out/tests/libc/lua --net none --disk "$tmp/sim.img" -- \
	    "$s" >"$tmp/$s.sim" 2>&1 || st=$?
	check "sim: $s prints what the host's lua5.4 prints" \
	    same "$tmp/$s.host" "$tmp/$s.sim" "$st"
	st=0
	# shellcheck disable=SC2046
	toro_qemu_boot "$tmp/$s.mvm" microvm 1 out/tests/libc/lua.elf "$s" \
	    $(toro_qemu_disk microvm "$tmp/mvm.img") || st=$?
	check "microvm: $s prints what the host's lua5.4 prints" \
	    same "$tmp/$s.host" "$tmp/$s.mvm" "$st"
done

clean() { fsck.fat -n "$1" >"$tmp/fsck" 2>&1 || { note <"$tmp/fsck"; return 1; }; }
check "sim: the disk the scripts wrote is clean" clean "$tmp/sim.img"
check "microvm: the disk the scripts wrote is clean" clean "$tmp/mvm.img"

# There is no command processor: os.execute() says so (system(NULL),
# libc/process.c), and Lua built without popen says io.popen is not
# supported.
timeout 60 out/tests/libc/lua --net none -- -e "print(os.execute())" \
    -e "print(pcall(io.popen, 'ls'))" >"$tmp/proc" 2>&1
check "sim: os.execute() is false and io.popen is not supported" \
    file_has "$tmp/proc" '^false$' \
    "^false	'popen' not supported$"
