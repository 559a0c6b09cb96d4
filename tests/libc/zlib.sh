#!/bin/bash
# zlib.sh: zlib from Debian's source on Toro (issue 11, oracle 2).
#
# out/tests/libc/zexample and minigzip are zlib's own test/example.c and
# test/minigzip.c with the library, built unchanged as C environment
# programs (tests/libc/oracle.mk).  In the sim and on microvm: example
# passes all its checks (it writes foo.gz on the disk); a file that
# minigzip compresses on the kernel's disk is decompressed by the host's
# gunzip to the original bytes, and a file the host's gzip compressed
# is decompressed by minigzip -d on Toro to the original bytes.
. "$srcdir/tests/tap.sh"
plan 8

need=""
for c in gzip qemu-system-x86_64 mformat mcopy fsck.fat; do
	command -v "$c" >/dev/null || need="$need $c"
done
if [ -n "$need" ]; then
	for _ in $(seq 8); do skip "not installed:$need"; done
	exit 0
fi
. "$srcdir/hal/native/qemu.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Text and machine code: 600 KB that compress well and badly.
{ seq 1 40000; head -c 300000 out/tests/libc/lua.elf; } >"$tmp/data"
gzip -9 -c "$tmp/data" >"$tmp/host.gz"
mkimage() {
	truncate -s 32M "$1" &&
	    mformat -i "$1" -T 65536 -h 64 -s 32 -c 8 :: &&
	    mcopy -i "$1" "$tmp/data" ::data &&
	    mcopy -i "$1" "$tmp/host.gz" ::host.gz
}

example_ok() { # STATUS OUTPUT
	[ "$1" -eq 0 ] && file_has "$2" '^zlib version 1\.' \
	    '^uncompress\(\): hello, hello!$' '^gzread\(\): hello, hello!$' \
	    '^gzgets\(\) after gzseek:  hello!$' \
	    '^inflate\(\): hello, hello!$' '^large_inflate\(\): OK$' \
	    '^after inflateSync\(\): hello, hello!$' \
	    '^inflate with dictionary: hello, hello!$'
}
# The disk after minigzip data and minigzip -d host.gz: data.gz that
# gunzip makes the original of, data gone, the disk clean; host is
# fetched for the next case.
roundtrip() { # IMAGE STATUS1 STATUS2
	if [ "$2" -ne 0 ] || [ "$3" -ne 0 ]; then
		echo "status $2 $3" | note
		return 1
	fi
	rm -f "$tmp/got.gz" "$tmp/got"
	mcopy -i "$1" ::data.gz "$tmp/got.gz" && mcopy -i "$1" ::host "$tmp/got" &&
	    gunzip -c "$tmp/got.gz" | cmp - "$tmp/data" &&
	    ! mdir -i "$1" ::data >/dev/null 2>&1 || return 1
	if ! fsck.fat -n "$1" >"$tmp/fsck" 2>&1; then
		note <"$tmp/fsck"
		return 1
	fi
}

mkimage "$tmp/sim.img"
s=0
timeout 60 out/tests/libc/zexample --net none --disk "$tmp/sim.img" \
    >"$tmp/ex.sim" 2>&1 || s=$?
check "sim: zlib's example passes every check" example_ok $s "$tmp/ex.sim"
s1=0 s2=0
timeout 60 out/tests/libc/minigzip --net none --disk "$tmp/sim.img" -- data \
    >"$tmp/mg.sim" 2>&1 || s1=$?
timeout 60 out/tests/libc/minigzip --net none --disk "$tmp/sim.img" -- \
    -d host.gz >>"$tmp/mg.sim" 2>&1 || s2=$?
if [ $s1 -ne 0 ] || [ $s2 -ne 0 ]; then note <"$tmp/mg.sim"; fi
check "sim: minigzip's data.gz gunzips to the original, and it is removed" \
    roundtrip "$tmp/sim.img" $s1 $s2
check "sim: minigzip -d makes the original of the host's gzip -9" \
    cmp "$tmp/got" "$tmp/data"
check "sim: foo.gz of example is on the disk" \
    bash -c "mdir -i '$tmp/sim.img' ::foo.gz >/dev/null 2>&1"

mkimage "$tmp/mvm.img"
disk() { toro_qemu_disk microvm "$tmp/mvm.img"; }
s=0
# shellcheck disable=SC2046
toro_qemu_boot "$tmp/ex.mvm" microvm 1 out/tests/libc/zexample.elf "" \
    $(disk) || s=$?
check "microvm: zlib's example passes every check" example_ok $s \
    "$tmp/ex.mvm"
s1=0 s2=0
# shellcheck disable=SC2046
toro_qemu_boot "$tmp/mg.mvm" microvm 1 out/tests/libc/minigzip.elf "data" \
    $(disk) || s1=$?
# shellcheck disable=SC2046
toro_qemu_boot "$tmp/mg2.mvm" microvm 1 out/tests/libc/minigzip.elf \
    "-d host.gz" $(disk) || s2=$?
check "microvm: minigzip's data.gz gunzips to the original, and it is removed" \
    roundtrip "$tmp/mvm.img" $s1 $s2
check "microvm: minigzip -d makes the original of the host's gzip -9" \
    cmp "$tmp/got" "$tmp/data"
check "microvm: foo.gz of example is on the disk" \
    bash -c "mdir -i '$tmp/mvm.img' ::foo.gz >/dev/null 2>&1"
