#!/bin/bash
# xcpu.sh: what crosses CPUs in the simulator, for ThreadSanitizer
# (tests/sanit/run.sh tsan runs it in its copy of the tree): threads
# created on other CPUs and the scheduler's wake-ups, mailboxes between
# CPUs, blocks freed on CPUs other than their owners' (remote free), and
# socket calls from threads on other CPUs than the network's
# (sched_call).  Each case checks the program's own result; the race
# reports are run.sh's to find.  It runs in the normal build too.
. "$srcdir/tests/tap.sh"
plan 6

tmp=$(mktemp -d)
pid=
cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
out=$tmp/out

# run CPUS PROGRAM [ARGS...]: with a time limit, output in $out.
run() {
	local cpus=$1 p=$2
	shift 2
	timeout 300 "$p" --cpus "$cpus" -- "$@" >"$out" 2>&1 ||
	    { note <"$out"; return 1; }
}

hello() {
	local i
	run 4 out/sim/hello || return 1
	for i in 0 1 2 3; do
		grep -qx "Hello from CPU $i of 4" "$out" ||
		    { note <"$out"; return 1; }
	done
}
threads() {
	run "$1" out/sim/threads 2000 || return 1
	grep -qx "2000 round trips between CPU 0 and CPU $(($1 - 1))" \
	    "$out" || { note <"$out"; return 1; }
}
churn() {
	run "$1" out/tests/sim/churn || return 1
	grep -qx "churn done" "$out" || { note <"$out"; return 1; }
}
check "hello on 4 CPUs (remote thread creation)" hello
check "mailboxes between CPU 0 and 1" threads 2
check "mailboxes between CPU 0 and 3" threads 4
check "thread churn and remote frees on 2 CPUs" churn 2
check "thread churn and remote frees on 4 CPUs" churn 4

# The echo example with -s serves each TCP connection on the next CPU in
# turn: the sockets of those on CPU 1 are served by CPU 0, the network's.
client() {
	python3 - "$@" <<'EOF'
import socket, sys
port = int(sys.argv[1])
for i in range(4):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    data = bytes(range(256)) * 256
    s.sendall(data)
    got = b""
    while len(got) < len(data):
        b = s.recv(65536)
        if not b:
            break
        got += b
    s.shutdown(socket.SHUT_WR)
    if got != data or s.recv(1) != b"":
        sys.exit(1)
    s.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(10)
u.sendto(b"ping", ("127.0.0.1", port))
if u.recvfrom(100)[0] != b"ping":
    sys.exit(1)
EOF
}
# wait_up: the echo service is up, or it died, or a minute passed.
wait_up() {
	local i
	for ((i = 0; i < 600; i++)); do
		grep -q "serving port 7" "$out" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	note <"$out"
	return 1
}
echo_ok() {
	local port=$((20000 + $$ % 20000)) s=0
	timeout 300 out/sim/echo --cpus 2 --net user --port $port:7 \
	    --port udp:$port:7 -- -s 30 >"$out" 2>&1 &
	pid=$!
	wait_up || return 1
	client $port || { note <"$out"; return 1; }
	# Down at the end of its 30 seconds, with exit status 0.
	wait "$pid" || s=$?
	pid=
	[ $s -eq 0 ] || { echo "echo: exit status $s" | note; note <"$out"; }
	[ $s -eq 0 ]
}
if ! command -v python3 >/dev/null; then
	skip "sockets across CPUs: python3 is missing"
else
	check "TCP and UDP echo, connections on CPU 0 and 1, power-off" \
	    echo_ok
fi
