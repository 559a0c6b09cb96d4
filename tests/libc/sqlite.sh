#!/bin/bash
# sqlite.sh: SQLite from Debian's source on Toro, the host's sqlite3 the
# oracle.
#
# out/tests/libc/sqlite is Debian's sqlite3 shell built unchanged as a C
# environment program (tests/libc/oracle.mk).  It runs
# tests/libc/sqlite.sql against a new database on the kernel's FAT16
# disk, in the sim and on microvm (HOME=/: the shell looks for its
# ~/.sqliterc): every line it prints must be the
# host's sqlite3's for the same script, the database it left must pass
# the host's PRAGMA integrity_check with the same rows, no journal may
# be left behind, and the disk must be clean.
. "$srcdir/tests/tap.sh"
plan 8

need_tools 8 qemu-system-x86_64 sqlite3 mformat mcopy mdir fsck.fat
. "$srcdir/hal/native/qemu.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sql=$(cd "$srcdir" && pwd)/tests/libc/sqlite.sql

(cd "$tmp" && sqlite3 host.db ".read $sql") >"$tmp/host" 2>&1
grep -q '^ok$' "$tmp/host" || { echo "host sqlite3 failed:"; cat "$tmp/host"; }

mkimage() {
	truncate -s 32M "$1" && mformat -i "$1" -h 64 -s 32 :: >/dev/null &&
	    mcopy -i "$1" "$sql" ::q.sql
}
# The shell's lines, without the kernel's and the console's CRs.
lines() {
	tr -d '\r' <"$1" | grep -av '^toro:'
}
same() { # OUTPUT
	diff <(lines "$tmp/host") <(lines "$1") >"$tmp/diff" && return 0
	head -40 "$tmp/diff" | note
	return 1
}
# The database Toro left: the host's check, the same rows, no journal,
# a clean disk.
db_ok() { # IMAGE
	rm -f "$tmp/t.db"
	mcopy -i "$1" ::t.db "$tmp/t.db" || return 1
	[ "$(sqlite3 "$tmp/t.db" 'PRAGMA integrity_check')" = ok ] || return 1
	[ "$(sqlite3 "$tmp/t.db" 'SELECT count(*), total(n) FROM visit')" = \
	    "$(sqlite3 "$tmp/host.db" 'SELECT count(*), total(n) FROM visit')" ] ||
	    return 1
	! mdir -i "$1" ::t.db-journal >/dev/null 2>&1 || return 1
	fsck.fat -n "$1" >"$tmp/fsck" 2>&1 || { note <"$tmp/fsck"; return 1; }
}

mkimage "$tmp/sim.img"
s=0
timeout 300 out/tests/libc/sqlite --cpus 2 --net none --disk "$tmp/sim.img" \
    -- HOME=/ /t.db ".read /q.sql" >"$tmp/sim" 2>&1 || s=$?
check "sim: the shell ran the script" bash -c "[ $s -eq 0 ] &&
    grep -aq '^ok' '$tmp/sim'"
check "sim: every line as the host's sqlite3" same "$tmp/sim"
check "sim: the database passes the host's check, no journal, disk clean" \
    db_ok "$tmp/sim.img"

mkimage "$tmp/nat.img"
s=0
# shellcheck disable=SC2046
toro_qemu_boot "$tmp/nat" microvm 2 out/tests/libc/sqlite.elf \
    'HOME=/ /t.db ".read /q.sql"' $(toro_qemu_disk microvm "$tmp/nat.img") ||
    s=$?
check "microvm: the shell ran the script" bash -c "[ $s -eq 0 ] &&
    grep -aq '^ok' '$tmp/nat'"
check "microvm: every line as the host's sqlite3" same "$tmp/nat"
check "microvm: the database passes the host's check, no journal, disk clean" \
    db_ok "$tmp/nat.img"

# The database Toro made, read again on Toro after the host's check.
s=0
timeout 120 out/tests/libc/sqlite --net none --disk "$tmp/nat.img" \
    -- HOME=/ /t.db "SELECT count(*) FROM city" >"$tmp/again" 2>&1 || s=$?
again_ok() { [ "$1" -eq 0 ] && [ "$(lines "$tmp/again")" = 6 ]; }
check "sim: reads the database microvm made" again_ok $s
check "the host's own run passed its check" grep -q '^ok$' "$tmp/host"
