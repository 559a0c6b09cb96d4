#!/bin/bash
# efault.sh: a bad pointer is EFAULT, not a kernel fault.
#
# tests/programs/efault passes pointers that are not there (NULL plus
# an offset, unmapped, non-canonical; read-only memory in the sim) to
# the calls that copy through them on a kernel thread or in the C
# library: read, write and open of files (leased reads too), stat,
# readdir, getdents64, rename, the console; sendto, recv, recvfrom,
# read and write on UDP and TCP sockets over the stack's loopback,
# bind, connect, accept, getsockname, poll.  Each must give -1 and
# EFAULT and consume nothing (the file position, a datagram, stream
# bytes, a pending connection, a listing's entry stay), and the kernel
# goes on serving.  In the simulator (hal_copy's fault caught in the
# SIGSEGV handler) and natively on microvm and q35 (in the trap path);
# the disk is left clean.
. "$srcdir/tests/tap.sh"
plan 7

need_tools 7 qemu-system-x86_64 mformat mcopy fsck.fat
. "$srcdir/hal/native/qemu.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A FAT16 image holding /in.txt.
mkimage() {
	rm -f "$1"
	truncate -s 32M "$1" &&
	    mformat -i "$1" -T 65536 -h 64 -s 32 -c 8 :: &&
	    printf 'first line\nsecond one\n' >"$tmp/in.txt" &&
	    mcopy -i "$1" "$tmp/in.txt" ::in.txt
}
results() { grep -aE '^(PASS|FAIL) ' "$1" | tr -d '\r'; }
clean() { fsck.fat -n "$1" >"$tmp/fsck" 2>&1 || { note <"$tmp/fsck"; return 1; }; }

# passed OUT STATUS: every case passed and the program said so.
passed() {
	[ "$2" -eq 0 ] && grep -aq '^efault: 0 failed' "$1" &&
	    ! grep -aq '^FAIL ' "$1" || { note <"$1"; return 1; }
}

mkimage "$tmp/sim.img"
# User networking: a NIC for the stack, whose loopback the sockets use.
timeout 120 out/tests/sim/efault --cpus 2 --net user \
    --disk "$tmp/sim.img" -- ro >"$tmp/sim" 2>&1
s=$?
check "sim: every bad pointer is -1/EFAULT, nothing consumed" \
    passed "$tmp/sim" $s
check "sim: all 123 cases ran" test "$(results "$tmp/sim" | wc -l)" -eq 123
check "sim: the disk is clean" clean "$tmp/sim.img"

# boot MACHINE OUT: the program on MACHINE with 2 CPUs, a disk, a NIC.
boot() {
	local s=0
	mkimage "$tmp/$1.img" || return 1
	# shellcheck disable=SC2046
	toro_qemu_boot "$2" "$1" 2 out/tests/native/efault.elf "" \
	    $(toro_qemu_disk "$1" "$tmp/$1.img") \
	    $(toro_qemu_net "$1" user) || s=$?
	passed "$2" $s
}
check "microvm: every bad pointer is -1/EFAULT" boot microvm "$tmp/mvm"
# The sim's cases but the two of read-only memory, which only it has.
check "microvm: the sim's results" \
    cmp <(results "$tmp/sim" | grep -v 'read-only') <(results "$tmp/mvm")
check "microvm: the disk is clean" clean "$tmp/microvm.img"
check "q35: every bad pointer is -1/EFAULT" boot q35 "$tmp/q35"
