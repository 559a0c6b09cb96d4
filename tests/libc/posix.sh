#!/bin/bash
# posix.sh: the POSIX calls of servers and clients, Toro against Linux.
#
# tests/libc/posix/ (posix.c and its parts) is built with the host's
# glibc (out/tests/libc/posix-glibc) and as a C environment program:
# select, pselect, ppoll, sendmsg and recvmsg on TCP and UDP, SO_ERROR
# of non-blocking connects, SO_TYPE, MSG_WAITALL, RLIMIT_NOFILE,
# getrusage, clock_getres, umask, dup3, pread, pwrite, preadv, pwritev,
# sendfile, record locks, pipes, socket pairs, eventfd, epoll, mmap,
# chdir and the *at calls, /dev.  Each prints facts, not values that
# may differ; the Linux run (in a folder of its own) must pass, so the
# program's expectations are Linux's, and the sim and microvm runs (on
# a FAT16 disk) must print the same lines and leave the disk clean;
# with a network interface and without one (the loopback alone, which
# the first socket call starts).
. "$srcdir/tests/tap.sh"
plan 11

need_tools 11 qemu-system-x86_64 mformat mdir fsck.fat
. "$srcdir/hal/native/qemu.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The program's lines, without the console's carriage returns and the
# kernel's own.
lines() {
	tr -d '\r' <"$1" | grep -av '^toro:\|^net:'
}
passed() { # OUTPUT STATUS
	[ "$2" -eq 0 ] && grep -aqx 'posix: 0 failed' "$1" && return 0
	grep -a 'WRONG\|posix:' "$1" | note
	return 1
}
same() { # OURS
	diff <(lines "$tmp/linux") <(lines "$1") >"$tmp/diff" && return 0
	note <"$tmp/diff"
	return 1
}

mkimage() {
	truncate -s 16M "$1" && mformat -i "$1" -h 64 -s 32 :: >/dev/null
}
# The disk after a run: clean, and the program's file gone.
clean() { # IMAGE
	fsck.fat -n "$1" >"$tmp/fsck" 2>&1 || { note <"$tmp/fsck"; return 1; }
	! mdir -i "$1" ::posix.tmp >/dev/null 2>&1 &&
	    ! mdir -i "$1" ::posix.ep >/dev/null 2>&1 &&
	    ! mdir -i "$1" ::posix.map >/dev/null 2>&1 &&
	    ! mdir -i "$1" ::posix.d >/dev/null 2>&1
}

mkdir "$tmp/cwd"
prog=$(pwd)/out/tests/libc/posix-glibc
s=0
(cd "$tmp/cwd" && timeout 60 "$prog" a bc) >"$tmp/linux" 2>&1 || s=$?
check "Linux (glibc): every expectation holds" passed "$tmp/linux" $s

mkimage "$tmp/sim.img"
s=0
timeout 120 out/tests/libc/posix --cpus 2 --net user \
    --disk "$tmp/sim.img" -- a bc >"$tmp/sim" 2>&1 || s=$?
check "sim: every expectation holds" passed "$tmp/sim" $s
check "sim: the same lines as Linux" same "$tmp/sim"
check "sim: the disk is clean, the file gone" clean "$tmp/sim.img"

mkimage "$tmp/nat.img"
s=0
# shellcheck disable=SC2046
toro_qemu_boot "$tmp/nat" microvm 2 out/tests/libc/posix.elf '' \
    $(toro_qemu_disk microvm "$tmp/nat.img") -netdev user,id=n0 \
    $(toro_qemu_nic microvm n0) || s=$?
check "microvm, 2 CPUs: every expectation holds" passed "$tmp/nat" $s
check "microvm: the same lines as Linux" same "$tmp/nat"
check "microvm: the disk is clean, the file gone" clean "$tmp/nat.img"

# No network interface: the same, over the loopback alone.
mkimage "$tmp/sim0.img"
s=0
timeout 120 out/tests/libc/posix --cpus 2 --net none \
    --disk "$tmp/sim0.img" >"$tmp/sim0" 2>&1 || s=$?
check "sim without a NIC: every expectation holds" passed "$tmp/sim0" $s
check "sim without a NIC: the same lines as Linux" same "$tmp/sim0"
mkimage "$tmp/nat0.img"
s=0
# shellcheck disable=SC2046
toro_qemu_boot "$tmp/nat0" microvm 2 out/tests/libc/posix.elf '' \
    $(toro_qemu_disk microvm "$tmp/nat0.img") || s=$?
check "microvm without a NIC: every expectation holds" passed "$tmp/nat0" $s
check "microvm without a NIC: the same lines as Linux" same "$tmp/nat0"
