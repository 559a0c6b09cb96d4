#!/bin/bash
# memcached.sh: memcached 1.6 from Debian's source, built unchanged with
# libevent (tests/net/memcached.mk), in the simulator on a TAP interface
# of a namespace of our own, judged by real clients:
#  - python3 speaking the text protocol: set/get/delete/incr, a 500 KiB
#    value, 50 clients at once with their own keys, a garbage command
#    ("ERROR"), a client gone in the middle of a value, and the server
#    answering after each;
#  - libmemcached-tools: memcping, memccapable (ASCII and binary),
#    memcslap with 50 threads, memcstat (two worker threads, -t 2);
#  - the shutdown command (enabled by -A) ends the program with status 0;
#  - -d (daemonize) needs fork, which Toro has not: it fails with
#    memcached's own error, status 1;
#  - the host's SIGTERM runs memcached's own handler, which ends its
#    event loop ("Exiting normally" with -v), status 0;
#  - the native image on QEMU's microvm (virtio-net on the same TAP):
#    memccapable, memcslap, shutdown with status 0.
# memcached runs as root only with -u: -u root, found in /etc/passwd of
# the FAT16 folder it is given (--share), drops nothing.
# Cases skip when root, /dev/net/tun, python3 or the tools are missing,
# or Debian's source cannot be fetched; a build failure fails them.
. "$srcdir/tests/tap.sh"
plan 19

ns=toro-mc-$$
BG_TIMEOUT=180
. "$srcdir/tests/net/netns.sh"
bin=out/mc/memcached
net=192.168.93
ip=$net.2
port=11211

if [ "$(id -u)" -ne 0 ] || ! have ip || [ ! -c /dev/net/tun ] ||
    ! have python3; then
	skip_n 19 "needs root, ip, python3 and /dev/net/tun"
	exit 0
fi
if ! have memcping || ! have memcslap || ! have memccapable ||
    ! have memcstat; then
	skip_n 19 "not installed: libmemcached-tools (./toro deps)"
	exit 0
fi
# The build (tests/net/memcached.mk), here rather than in check_DATA.
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s $bin \
    >"$tmp/build" 2>&1; then
	note <"$tmp/build"
	fail_n 19 "memcached's build failed (out/mc/build.log)"
	exit 0
fi
if [ -f out/mc/nosource ]; then
	skip_n 19 "$(cat out/mc/nosource)"
	exit 0
fi
if [ ! -x $bin ]; then
	fail_n 19 "memcached is not built (out/mc/build.log)"
	exit 0
fi
tap_up 18 $net

mkdir -p "$tmp/root/etc"
echo 'root:x:0:0:root:/root:/bin/sh' >"$tmp/root/etc/passwd"

# run NAME COMMAND...: COMMAND in the namespace in the background, its
# output in $tmp/NAME.out and its exit status in $tmp/NAME.rc once it
# ends.
run() {
	local name=$1
	shift
	# shellcheck disable=SC2016
	in_ns bash -c 'timeout "$1" "${@:2}" & echo $! >"$0.pid"; wait $!
	    echo $? >"$0.rc"' "$tmp/$name" "$BG_TIMEOUT" "$@" \
	    >"$tmp/$name.out" 2>&1 &
	pids+=($!)
}
# mc NAME ARGS...: memcached in the sim on tap0, as root.
mc() {
	local name=$1
	shift
	run "$name" $bin --cpus 2 --net tap:tap0 --share "$tmp/root" -- \
	    ip=$ip/24 gw=$net.1 -u root "$@"
}
# ended NAME STATUS: the program ended, with STATUS, within 30 s (QEMU's
# status, for q, read by hal/native/qemu.sh).
ended() {
	local i s
	for ((i = 0; i < 300; i++)); do
		[ -s "$tmp/$1.rc" ] && break
		sleep 0.1
	done
	s=$(cat "$tmp/$1.rc" 2>/dev/null)
	[ "$1" = q ] && [ -n "$s" ] && s=$(toro_qemu_status "$s" "$tmp/q.out")
	[ "$s" = "$2" ] && return 0
	echo "# status '$s', not $2"
	note <"$tmp/$1.out"
	return 1
}
# py CASE: the text-protocol client below runs CASE in the namespace.
py() {
	in_ns python3 - "$ip" "$port" "$1" <<'PYEOF' >"$tmp/py.out" 2>&1 &&
import socket, sys, threading
host, port, case = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def conn():
    s = socket.create_connection((host, port), timeout=20)
    return s, s.makefile("rb")

def cmd(s, f, line, data=None):
    s.sendall(line + b"\r\n" + (data + b"\r\n" if data is not None else b""))
    return f.readline()

def expect(got, want):
    if got != want:
        sys.exit("got %r, want %r" % (got, want))

def get(s, f, key):
    s.sendall(b"get " + key + b"\r\n")
    head = f.readline()
    if head == b"END\r\n":
        return None
    n = int(head.split()[3])
    value = f.read(n + 2)[:-2]
    expect(f.readline(), b"END\r\n")
    return value

if case == "ping":
    s, f = conn()
    expect(cmd(s, f, b"version")[:8], b"VERSION ")
elif case == "basic":
    s, f = conn()
    expect(cmd(s, f, b"set k 5 0 5", b"hello"), b"STORED\r\n")
    s.sendall(b"get k\r\n")
    expect(f.readline(), b"VALUE k 5 5\r\n")
    expect(f.readline(), b"hello\r\n")
    expect(f.readline(), b"END\r\n")
    expect(cmd(s, f, b"add k 0 0 1", b"x"), b"NOT_STORED\r\n")
    expect(cmd(s, f, b"append k 0 0 3", b"!!!"), b"STORED\r\n")
    expect(get(s, f, b"k"), b"hello!!!")
    expect(cmd(s, f, b"delete k"), b"DELETED\r\n")
    expect(cmd(s, f, b"delete k"), b"NOT_FOUND\r\n")
    expect(get(s, f, b"k"), None)
    expect(cmd(s, f, b"set n 0 0 2", b"41"), b"STORED\r\n")
    expect(cmd(s, f, b"incr n 1"), b"42\r\n")
    expect(cmd(s, f, b"incr n 18446744073709551573"), b"18446744073709551615\r\n")
    expect(cmd(s, f, b"incr n 1"), b"0\r\n")
    expect(cmd(s, f, b"decr n 5"), b"0\r\n")
    expect(cmd(s, f, b"incr k 1"), b"NOT_FOUND\r\n")
elif case == "big":
    s, f = conn()
    value = bytes((i * 7 + i // 251) & 0xFF for i in range(500 * 1024))
    expect(cmd(s, f, b"set big 0 0 %d" % len(value), value), b"STORED\r\n")
    if get(s, f, b"big") != value:
        sys.exit("the 500 KiB value came back different")
elif case == "many":
    bad = []
    def client(i):
        try:
            s, f = conn()
            for j in range(20):
                key = b"c%d-%d" % (i, j)
                value = b"%d:%d:" % (i, j) * (1 + (i * j) % 50)
                expect(cmd(s, f, b"set " + key + b" 0 0 %d" % len(value),
                           value), b"STORED\r\n")
                expect(get(s, f, key), value)
            s.close()
        except BaseException as e:
            bad.append("%d: %r" % (i, e))
    ts = [threading.Thread(target=client, args=(i,)) for i in range(50)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if bad:
        sys.exit("\n".join(bad[:5]))
elif case == "garbage":
    s, f = conn()
    expect(cmd(s, f, b"xyzzy plugh"), b"ERROR\r\n")
    expect(cmd(s, f, b"version")[:8], b"VERSION ")
elif case == "gone":
    s, f = conn()
    s.sendall(b"set half 0 0 100000\r\n" + b"x" * 30000)
    s.close()
    s, f = conn()
    expect(get(s, f, b"half"), None)
    expect(cmd(s, f, b"version")[:8], b"VERSION ")
elif case == "threads":
    s, f = conn()
    s.sendall(b"stats settings\r\n")
    lines = []
    while True:
        line = f.readline()
        if not line or line == b"END\r\n":
            break
        lines.append(line)
    if b"STAT num_threads 2\r\n" not in lines:
        sys.exit("no 'num_threads 2' in %r" % lines)
elif case == "shutdown":
    s, f = conn()
    s.sendall(b"shutdown\r\n")
    s.settimeout(20)
    expect(f.readline(), b"")
PYEOF
	    return 0
	note <"$tmp/py.out"
	return 1
}
# up NAME: the server answers within 30 s.
up() {
	local i
	for ((i = 0; i < 60; i++)); do
		py ping >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	note <"$tmp/$1.out"
	return 1
}

mc mc -p $port -U 0 -t 2 -c 256 -A
check "memcached on TAP answers (version)" up mc
check "memcping" quiet in_ns memcping -s $ip:$port
check "set/get/add/append/delete/incr/decr, with wrap-around" py basic
check "a 500 KiB value, stored and read back" py big
check "50 clients at once, 20 sets and gets each" py many
check "a garbage command gets ERROR, the server still answers" py garbage
check "a client gone in the middle of a value, the server still answers" \
    py gone
check "two worker threads (-t 2, stats settings)" py threads
check "memccapable: the ASCII and binary protocols' tests" \
    quiet in_ns timeout 120 memccapable -h $ip -p $port -t 10
# stat NAME: the server's counter NAME, from memcstat.
stat() {
	in_ns memcstat -s $ip:$port | awk -v k="$1:" '$1 == k { print $2 }'
}
# slap set|get COUNTER: memcslap's 50 threads make 10,000 requests
# (it says nothing of errors: the server's COUNTER must count them all).
slap() {
	local before after
	before=$(stat "$2")
	quiet in_ns timeout 120 memcslap -s $ip:$port -c 50 -e 200 -t "$1" ||
	    return 1
	after=$(stat "$2")
	[ -n "$before" ] && [ -n "$after" ] &&
	    [ $((after - before)) -ge 10000 ] && return 0
	echo "# $2 went from '$before' to '$after'"
	return 1
}
check "memcslap: 50 threads setting, then getting (10,000 hits)" \
    eval 'slap set cmd_set && slap get get_hits'
stats_ok() {
	in_ns memcstat -s $ip:$port >"$tmp/stat" 2>&1 &&
	    grep -Eq 'threads: 2$' "$tmp/stat" &&
	    grep -Eq 'curr_connections: [0-9]+$' "$tmp/stat" && return 0
	note <"$tmp/stat"
	return 1
}
check "memcstat: the server's stats (2 threads)" stats_ok
check "the shutdown command ends it with status 0" \
    eval 'py shutdown && ended mc 0'

# -d asks for a second process.
mc daemon -p $port -U 0 -d
daemon_refused() {
	ended daemon 1 &&
	    grep -q "failed to daemon() in order to daemonize" "$tmp/daemon.out"
}
check "-d (fork) fails with memcached's own error, status 1" daemon_refused
check "no fault or panic in either run" \
    bash -c "! grep -aiE 'panic|fault|exception' '$tmp/mc.out' '$tmp/daemon.out'"

# The host's SIGTERM reaches memcached's own handler, which ends its loop.
mc term -p $port -U 0 -t 2 -v
up term && kill -TERM "$(cat "$tmp/term.pid")"
check "the host's SIGTERM runs memcached's handler: 'Exiting normally', status 0" \
    eval 'ended term 0 && grep -q "Exiting normally" "$tmp/term.out"'

# The same program natively: QEMU's microvm, virtio-net on the TAP, the
# passwd file on a FAT16 disk.
if ! have qemu-system-x86_64 || ! have mformat || ! have mmd ||
    ! have mcopy; then
	skip_n 4 "native: not installed: qemu-system-x86_64 or mtools"
	exit 0
fi
. "$srcdir/hal/native/qemu.sh"
img=$tmp/root.img
truncate -s 16M "$img" && mformat -i "$img" -h 64 -s 32 :: &&
    mmd -i "$img" ::etc && mcopy -i "$img" "$tmp/root/etc/passwd" ::etc/passwd
ip=$net.3
# shellcheck disable=SC2046
run q qemu-system-x86_64 $(toro_qemu_args microvm 2 256) \
    $(toro_qemu_net microvm tap:tap0) $(toro_qemu_disk microvm "$img") \
    -kernel "$(toro_qemu_kernel microvm out/mc/memcached.elf)" \
    -append "ip=$ip/24 gw=$net.1 -u root -p $port -U 0 -t 2 -A"
check "microvm: memcached answers on TAP (virtio-net)" up q
check "microvm: memccapable: the ASCII and binary protocols' tests" \
    quiet in_ns timeout 120 memccapable -h $ip -p $port -t 10
check "microvm: memcslap, 50 threads (10,000 sets counted)" \
    slap set cmd_set
check "microvm: the shutdown command ends it with status 0" \
    eval 'py shutdown && ended q 0'
