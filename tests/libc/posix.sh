#!/bin/bash
# posix.sh: the POSIX calls of servers and clients, Toro against Linux.
#
# tests/libc/posix/posix.c is built with the host's glibc
# (out/tests/libc/posix-glibc) and as a C environment program: select,
# pselect, ppoll, sendmsg and recvmsg on TCP and UDP, SO_ERROR of
# non-blocking connects, SO_TYPE, RLIMIT_NOFILE, getrusage,
# clock_getres, umask, dup3.  Each prints facts, not values that may
# differ; the Linux run must pass (so the program's expectations are
# Linux's), and the sim and microvm runs must print the same lines.
. "$srcdir/tests/tap.sh"
plan 5

if ! command -v qemu-system-x86_64 >/dev/null; then
	for _ in $(seq 5); do skip "not installed: qemu-system-x86_64"; done
	exit 0
fi
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

s=0
timeout 60 out/tests/libc/posix-glibc >"$tmp/linux" 2>&1 || s=$?
check "Linux (glibc): every expectation holds" passed "$tmp/linux" $s

s=0
timeout 120 out/tests/libc/posix --cpus 2 --net user >"$tmp/sim" 2>&1 || s=$?
check "sim: every expectation holds" passed "$tmp/sim" $s
check "sim: the same lines as Linux" same "$tmp/sim"

s=0
# shellcheck disable=SC2046
toro_qemu_boot "$tmp/nat" microvm 2 out/tests/libc/posix.elf '' \
    -netdev user,id=n0 $(toro_qemu_nic microvm n0) || s=$?
check "microvm, 2 CPUs: every expectation holds" passed "$tmp/nat" $s
check "microvm: the same lines as Linux" same "$tmp/nat"
