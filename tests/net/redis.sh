#!/bin/bash
# redis.sh: a real network server on Toro, judged by its own clients.
#
# redis-server from Debian's redis source, built unchanged with the C
# environment (tests/libc/oracle.mk: MALLOC=libc, no TLS, no systemd),
# runs in the sim with 2 CPUs over TAP, persistence off by its own
# options (--save "" --appendonly no, so it never forks) and protected
# mode off (the clients are not on its loopback).  Debian's redis-cli
# and redis-benchmark, in the namespace, ask it: PING; SET/GET of a
# small value and of 1 MiB, each read back and compared; INCR; 10,000
# SETs through redis-cli --pipe (no error, every reply); redis-benchmark
# pipelining 16 commands and with 50 clients at once (every test
# finished, no error); clients that hang up in the middle of a command
# (its header, a 1 MiB value cut short) leave nothing behind, and the
# server still answers; SHUTDOWN NOSAVE ends the process with status 0
# and redis-cli sees its connection end; the host's SIGTERM runs redis's
# own handler, which shuts it down with status 0.
# Then the same image natively under QEMU's microvm (TCG, virtio-net on
# the same TAP, 2 CPUs): its arguments from the kernel's command line,
# 1 MiB SET/GET, 50 clients, SHUTDOWN NOSAVE with main's status 0.
# Not timed.  Cases skip, saying why, when root, TAP or a client is
# missing; they fail when the server is not built or does not start.
. "$srcdir/tests/tap.sh"
plan 18

ns=toro-redis-$$
. "$srcdir/tests/net/netns.sh"

srv=out/tests/libc/redis
if [ ! -x "$srv" ]; then
	fail_n 18 "redis-server is not built ($srv)"
	exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! have ip || [ ! -c /dev/net/tun ]; then
	skip_n 18 "needs root, ip and /dev/net/tun"
	exit 0
fi
need_tools 18 redis-cli redis-benchmark python3
ip=192.168.88.2
tap_up 18 192.168.88
# up NAME COMMAND...: start the server (its pid file names the command
# itself, not bg_ns: its status is a case) and wait until it is ready.
up() {
	local name=$1
	shift
	out=$tmp/$name.out
	in_ns ip neigh flush dev tap0
	in_ns bash -c 'echo $$ >"$0"; exec timeout 300 "${@:1}"' \
	    "$tmp/$name.pid" "$@" >"$out" 2>&1 &
	server=$!
	pids+=("$server")
	wait_for "$out" "Ready to accept connections" 600
}
# down NAME: SHUTDOWN NOSAVE; the command's status goes to $status,
# redis-cli's to $cli_status.  redis-cli waits for the connection to
# close, which the exit does (as on Linux): 0 when it saw the end, 124
# when it waited 30 s for nothing.
down() {
	local i
	cli_status=0
	in_ns timeout 30 redis-cli -h "$ip" SHUTDOWN NOSAVE \
	    >"$tmp/shutdown" 2>&1 || cli_status=$?
	for ((i = 0; i < 100; i++)); do
		kill -0 "$server" 2>/dev/null || break
		sleep 0.1
	done
	status=0
	wait "$server" || status=$?
	note <"$tmp/shutdown"
	rm -f "$tmp/$1.pid"
}
ARGS=(--save '' --appendonly no --protected-mode no --port 6379)
if ! up sim "$srv" --cpus 2 --net tap:tap0 -- ip=$ip/24 gw=192.168.88.1 \
    "${ARGS[@]}"; then
	fail "redis-server up on TAP, 2 CPUs"
	fail_n 17 "redis-server did not start"
	exit 0
fi
ok "redis-server up on TAP, 2 CPUs"

cli() { in_ns timeout 60 redis-cli -h "$ip" "$@"; }
# is WANT COMMAND...: redis-cli's answer to COMMAND is WANT.
is() {
	local want=$1 got
	shift
	got=$(cli "$@" 2>&1)
	[ "$got" = "$want" ] && return 0
	echo "$* -> '$got', wanted '$want'" | note
	return 1
}

check "PING answers PONG" is PONG PING
# The arguments reached it: persistence is off, so it never forks.
# (save's empty value is an empty last line, which $(...) drops.)
persistence_off() {
	is save CONFIG GET save &&
	    is "$(printf 'appendonly\nno')" CONFIG GET appendonly
}
check "persistence off: save '', appendonly no" persistence_off
small() {
	is OK SET greeting "hello from Toro" && is "hello from Toro" GET greeting
}
check "SET then GET of a small value" small

# 1 MiB of printable bytes, sent by -x (the last argument from stdin)
# and read back with --raw (the value, then a newline).
big() {
	head -c 786432 /dev/urandom | base64 -w 0 >"$tmp/big"
	[ "$(stat -c %s "$tmp/big")" -eq 1048576 ] || return 1
	is OK -x SET big <"$tmp/big" || return 1
	is 1048576 STRLEN big || return 1
	cli --raw GET big >"$tmp/big.got" || return 1
	printf '\n' | cat "$tmp/big" - | cmp - "$tmp/big.got"
}
check "SET then GET of 1 MiB, the same bytes" big
incr() {
	is OK SET n 41 && is 42 INCR n && is 52 INCRBY n 10 && is 52 GET n
}
check "INCR and INCRBY count" incr

# 10,000 SETs in one stream: redis-cli --pipe reads every reply and
# counts the errors.
pipe() {
	local i
	for ((i = 0; i < 10000; i++)); do
		printf 'SET key:%d %d\r\n' "$i" "$i"
	done >"$tmp/pipe.in"
	cli --pipe <"$tmp/pipe.in" >"$tmp/pipe.out" 2>&1 &&
	    file_has "$tmp/pipe.out" "errors: 0, replies: 10000" &&
	    is 9999 GET key:9999
}
check "redis-cli --pipe: 10,000 SETs, every reply, no error" pipe

# bench NAME ARGS...: redis-benchmark -q ran every test (SET, GET,
# INCR), each with a rate, and said nothing else (an error, a timeout).
bench() {
	local name=$1 t
	shift
	in_ns timeout 120 redis-benchmark -h "$ip" -q -t set,get,incr \
	    "$@" >"$tmp/$name" 2>&1 || { note <"$tmp/$name"; return 1; }
	tr '\r' '\n' <"$tmp/$name" | grep -v '^ *$' | grep -v 'rps=' \
	    >"$tmp/$name.lines"
	for t in SET GET INCR; do
		grep -q "^$t: [0-9.]* requests per second" "$tmp/$name.lines" ||
		    { note <"$tmp/$name.lines"; return 1; }
	done
	[ "$(wc -l <"$tmp/$name.lines")" -eq 3 ] || { note <"$tmp/$name.lines"; return 1; }
}
check "redis-benchmark -n 10000 -P 16: pipelined, every test, no error" \
    bench pipelined -n 10000 -P 16
check "redis-benchmark -c 50: 50 clients at once, every test, no error" \
    bench clients -n 10000 -c 50
clients() {
	local n i
	for ((i = 0; i < 50; i++)); do
		n=$(cli INFO clients | tr -d '\r' |
		    sed -n 's/^connected_clients://p')
		[ "$n" = 1 ] && return 0
		sleep 0.1
	done
	echo "connected_clients: $n" | note
	return 1
}
check "the 50 clients are gone: redis-cli is the only one" clients

# Clients that hang up in the middle of a command: after its header,
# inside a 1 MiB value, and after a pipelined command with the next
# cut short.  None of the cut commands happened.
in_ns timeout 60 python3 - "$ip" >"$tmp/cut.out" 2>&1 <<'EOF'
import socket, sys
ip = sys.argv[1]
cuts = [
    b"*3\r\n$3\r\nSET\r\n$3\r\ncut\r\n",
    b"*3\r\n$3\r\nSET\r\n$4\r\ncut2\r\n$1048576\r\n" + b"x" * 500000,
    b"PING\r\n*3\r\n$3\r\nSET\r\n$4\r\ncut3\r\n$5\r\nab",
]
for c in cuts:
    s = socket.create_connection((ip, 6379), timeout=10)
    s.sendall(c)
    if c.startswith(b"PING"):
        print("pipelined PING:", s.recv(100))
    s.close()
print("done")
EOF
note <"$tmp/cut.out"
cut() {
	grep -q "^pipelined PING: b'+PONG" "$tmp/cut.out" &&
	    is PONG PING && is 0 EXISTS cut cut2 cut3
}
check "clients hanging up mid-command: nothing set, PING still answers" cut
check "after all that, the 1 MiB value is intact" \
    bash -c "printf '\n' | cat '$tmp/big' - | cmp - <(ip netns exec '$ns' \
	timeout 60 redis-cli -h $ip --raw GET big)"

down sim
if [ $status -eq 0 ] && grep -q "Redis is now ready to exit, bye bye" "$out" &&
    [ "$cli_status" -eq 0 ]; then
	ok "SHUTDOWN NOSAVE: the server ends with status 0; redis-cli sees" \
	    "the connection end"
else
	note <"$out"
	fail "SHUTDOWN NOSAVE: the server ends with status 0 (got $status);" \
	    "redis-cli sees the connection end (got $cli_status)"
fi

# The host's SIGTERM reaches redis's own handler, which shuts it down.
if up sim "$srv" --cpus 2 --net tap:tap0 -- ip=$ip/24 gw=192.168.88.1 \
    "${ARGS[@]}"; then
	kill -TERM "$(cat "$tmp/sim.pid")"
	status=0
	wait "$server" || status=$?
	rm -f "$tmp/sim.pid"
fi
if [ "$status" -eq 0 ] && grep -q "Received SIGTERM scheduling shutdown" \
    "$out" && grep -q "Redis is now ready to exit, bye bye" "$out"; then
	ok "SIGTERM from the host: redis's handler shuts it down, status 0"
else
	note <"$out"
	fail "SIGTERM from the host: redis's handler shuts it down, status 0" \
	    "(got $status)"
fi

# The same program natively: QEMU's microvm (TCG), virtio-net on the
# same TAP, 2 CPUs.
if ! have qemu-system-x86_64; then
	skip_n 4 "native: qemu-system-x86_64 is missing"
	exit 0
fi
. "$srcdir/hal/native/qemu.sh"
# shellcheck disable=SC2046
if ! up microvm qemu-system-x86_64 $(toro_qemu_args microvm 2 256) \
    $(toro_qemu_net microvm tap:tap0) \
    -kernel "$(toro_qemu_kernel microvm "$srv.elf")" \
    -append "ip=$ip/24 gw=192.168.88.1 -- --save \"\" --appendonly no \
    --protected-mode no --port 6379"; then
	fail "microvm: redis-server up on TAP, 2 CPUs"
	fail_n 3 "the native redis-server did not start"
	exit 0
fi
ok "microvm: redis-server up on TAP, 2 CPUs"
# The kernel's command line carried the same arguments.
native_big() { persistence_off && big; }
check "microvm: persistence off (save '', appendonly no), 1 MiB SET/GET" \
    native_big
check "microvm: redis-benchmark -c 50, every test, no error" \
    bench native -n 2000 -c 50
down microvm
status=$(toro_qemu_status "$status" "$out")
if [ "$status" -eq 0 ] && grep -q "ready to exit, bye bye" "$out" &&
    [ "$cli_status" -eq 0 ]; then
	ok "microvm: SHUTDOWN NOSAVE: main's status is 0; redis-cli sees the" \
	    "connection end"
else
	note <"$out"
	fail "microvm: SHUTDOWN NOSAVE: main's status is 0 (got $status);" \
	    "redis-cli sees the connection end (got $cli_status)"
fi
