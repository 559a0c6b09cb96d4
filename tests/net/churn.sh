#!/bin/bash
# churn.sh: the connection table of the simulated webserver over TAP, in
# a network namespace this script makes, the kernel started with
# tcp_conns=32 tcp_timewait=500:
#  - 3,000 `Connection: close` requests in a row are all answered; the
#    server closed each first, so each left a TIME_WAIT record, and
#    /stats shows the records bounded at 500 (the oldest recycled) and
#    no live connection left over;
#  - 300 clients that close as soon as they have the answer (as wrk
#    does) leave no TIME_WAIT on the client side: each answer came with
#    its FIN (MSG_MORE, then close), so none closed first;
#  - 31 idle connections fill the table (the listener is the 32nd): a
#    new connection gets no answer (its SYN dropped, not reset); once
#    the idle ones close, requests are served again;
#  - a SYN flood from spoofed addresses inside the subnet (scapy): its
#    half-open conns fill the table, cookies answer the rest (/stats),
#    and a request made then is served (through a cookie).
# Cases skip, saying why, when root or a tool is missing; they fail when
# a program is not built or the namespace cannot be set up.
. "$srcdir/tests/tap.sh"
plan 9

ns=toro-churn-$$
. "$srcdir/tests/net/netns.sh"
ip=192.168.83.2
gw=192.168.83.1

hello() {
	in_ns curl -s -m 10 "http://$ip/hello" >"$tmp/get.out" 2>&1 &&
	    grep -q '^Hello from Toro!$' "$tmp/get.out" && return 0
	note <"$tmp/get.out"
	return 1
}

# py SCRIPT ARGS...: python3 in the namespace; its output to the log
# when it fails.
py() {
	local script=$1
	shift
	in_ns /usr/bin/python3 -c "$script" "$ip" "$@" >"$tmp/py.out" 2>&1 &&
	    return 0
	note <"$tmp/py.out"
	return 1
}

churn_py='
import socket, sys
ip, n = sys.argv[1], int(sys.argv[2])
bad = 0
for i in range(n):
    try:
        s = socket.create_connection((ip, 80), timeout=5)
        s.sendall(b"GET /hello HTTP/1.1\r\nHost: t\r\n"
                  b"Connection: close\r\n\r\n")
        data = b""
        while True:
            d = s.recv(4096)
            if not d:
                break
            data += d
        s.close()
        if b"Hello from Toro!" not in data:
            bad += 1
    except OSError as e:
        print("request %d: %s" % (i, e))
        bad += 1
print("%d of %d failed" % (bad, n))
sys.exit(1 if bad else 0)
'

# n clients that close once the answer is whole, not at its end; then
# the client-side TIME_WAIT sockets to the server, which must be none.
eager_py='
import socket, subprocess, sys
ip, n = sys.argv[1], int(sys.argv[2])
ports = set()
for i in range(n):
    s = socket.create_connection((ip, 80), timeout=5)
    ports.add(s.getsockname()[1])
    s.sendall(b"GET /hello HTTP/1.1\r\nHost: t\r\n"
              b"Connection: close\r\n\r\n")
    data = b""
    while not data.endswith(b"Hello from Toro!\n"):
        d = s.recv(4096)
        if not d:
            print("request %d: the answer was cut short" % i)
            sys.exit(1)
        data += d
    s.close()
out = subprocess.run(["ss", "-Htn", "state", "time-wait", "dst", ip],
    capture_output=True, text=True).stdout.split()
tw = [w for w in out if ":" in w and int(w.rsplit(":", 1)[1]) in ports]
print("%d of these clients in TIME_WAIT" % len(tw))
sys.exit(1 if tw else 0)
'

# stats_py EXPR: /stats as s, EXPR must hold.
stats_py='
import json, sys, urllib.request
s = json.load(urllib.request.urlopen("http://%s/stats" % sys.argv[1],
    timeout=10))
ok = eval("(" + sys.argv[2] + ")")
print({k: v for k, v in s.items() if k.startswith("tcp_")})
sys.exit(0 if ok else 1)
'

# 31 idle connections, then one more must get no answer in 2 s; then
# the 31 close.
full_py='
import socket, sys, time
ip = sys.argv[1]
held = [socket.create_connection((ip, 80), timeout=5) for i in range(31)]
time.sleep(0.5)
x = socket.socket()
x.settimeout(2)
try:
    x.connect((ip, 80))
    print("the 33rd connection was accepted")
    sys.exit(1)
except socket.timeout:
    pass
except OSError as e:
    print("the 33rd connection: %s, not silence" % e)
    sys.exit(1)
for s in held:
    s.close()
'

flood_py='
import logging, sys, time
logging.getLogger("scapy").setLevel(logging.ERROR)
from scapy.all import IP, TCP, Ether, conf, get_if_hwaddr, sendp, srp1
from scapy.all import ARP
conf.verb = 0
ip = sys.argv[1]
conf.iface = "tap0"
a = srp1(Ether(dst="ff:ff:ff:ff:ff:ff") / ARP(pdst=ip), timeout=5)
pkts = [Ether(dst=a.hwsrc) / IP(src="192.168.83.%d" % (10 + i % 200),
        dst=ip) / TCP(sport=1024 + i, dport=80, flags="S", seq=i * 7919)
        for i in range(2000)]
sendp(pkts)
print("sent")
'

make_ns() {
	ip netns add "$ns" || return 1
	in_ns ip link set lo up
	in_ns ip tuntap add dev tap0 mode tap || return 1
	in_ns ip addr add $gw/24 dev tap0
	in_ns ip link set tap0 up
}

# The webserver in the simulator: 9 cases.
sim_cases() {
	local out=$tmp/web.out
	bg_ns web "$out" out/sim/webserver --cpus 2 --net tap:tap0 -- \
	    ip=$ip/24 gw=$gw tcp_conns=32 tcp_timewait=500
	if ! wait_for "$out" "serving http://$ip:80/"; then
		fail "sim webserver up on TAP"
		return 1
	fi
	check "sim webserver up on TAP" hello
	check "3000 Connection: close requests, all answered" \
	    py "$churn_py" 3000
	check "clients closing at the answer's end: no TIME_WAIT of theirs" \
	    py "$eager_py" 300
	check "/stats: 500 TIME_WAIT records, the oldest recycled, none live" \
	    py "$stats_py" 's["tcp_states"]["TIME_WAIT"] == 500 and
	    s["tcp_time_wait_recycled"] >= 2500 and s["tcp_conns"] <= 2 and
	    s["tcp_max_conns"] == 32'
	check "31 idle connections fill the table: the next is not answered" \
	    py "$full_py"
	sleep 1
	check "the idle ones closed: served again" hello
	if /usr/bin/python3 -c 'import scapy.all' >/dev/null 2>&1; then
		bg_ns flood "$tmp/flood.out" /usr/bin/python3 -c "$flood_py" \
		    "$ip"
		if wait_for "$tmp/flood.out" "^sent" 600; then
			check "its half-open conns fill the table: served" hello
		else
			fail "its half-open conns fill the table: served"
		fi
		stop flood
		check "/stats: SYN cookies answered the flood and the client" \
		    py "$stats_py" 's["tcp_syncookies_sent"] > 1000 and
		    s["tcp_syncookies_ok"] >= 1 and s["tcp_states"]["SYN_RCVD"] <= 31'
		check "and then again: served" hello
	else
		skip_n 3 "SYN flood: python3-scapy is missing"
	fi
	stop web
}

if [ "$(id -u)" -ne 0 ] || ! have ip || [ ! -c /dev/net/tun ] ||
    ! have curl || ! have python3; then
	skip_n 9 "TAP needs root, ip, curl, python3 and /dev/net/tun"
	exit 0
fi
if ! make_ns; then
	fail_n 9 "could not make a namespace with a TAP interface"
	exit 0
fi
if [ -x out/sim/webserver ]; then
	sim_cases
	[ "$tap_n" -eq 9 ] || fail_n $((9 - tap_n)) "the sim webserver failed"
else
	fail_n 9 "the webserver example is not built"
fi
