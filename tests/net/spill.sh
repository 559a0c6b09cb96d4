#!/bin/bash
# spill.sh: the webserver's spill over TAP (examples/webserver/loop.c):
# the workers of the CPU that runs the network stack take new
# connections alone until they hold SPILL (128); from then on the
# other CPUs' workers take new ones too (woken by their CPU's spill
# counter, an eventfd; they used to wait for their next tick, 1 s).
# Which CPU's worker takes a connection is a race the network CPU's
# wins when it is idle, so what CPU 1 gets is not asserted early.  The sim
# webserver (2 CPUs) gets 300 keep-alive connections, one after
# another, each answered and left open, with a pause of two ticks after
# the 138th; /stats conns_per_cpu must show the network CPU (CPU 0)
# holding at least 128 and CPU 1 some, adding up to conns_open; then
# every connection asks again, all at once, and each is answered on
# its own connection; once the client closes them, conns_open falls
# back to the /stats request's own.  Not timed.
# Cases skip, saying why, when root or a tool is missing; they fail when
# the program is not built or the namespace cannot be set up.
. "$srcdir/tests/tap.sh"
plan 6

ns=toro-spill-$$
. "$srcdir/tests/net/netns.sh"

CONNS=300
SPILL=128

web_needs 6
ip=192.168.86.2
tap_up 6 192.168.86
out=$tmp/web.out
bg_ns web "$out" out/sim/webserver --cpus 2 --net tap:tap0 \
    -- ip=$ip/24 gw=192.168.86.1
if ! wait_for "$out" "serving http://$ip:80/"; then
	fail "webserver up on TAP, 2 CPUs"
	fail_n 5 "the webserver did not start"
	exit 0
fi
ok "webserver up on TAP, 2 CPUs"

# The client prints "result NAME 0|1 DETAIL" per case, in order.
in_ns timeout 120 python3 - "$ip" "$CONNS" "$SPILL" >"$tmp/client.out" \
    2>&1 <<'EOF'
import json, socket, sys, time
host, n, spill = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
BODY = b"Hello from Toro!\n"
REQ = b"GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"


def result(name, passed, detail=""):
    print("result %s %d %s" % (name, 1 if passed else 0, detail), flush=True)


def answer(s):
    """One keep-alive answer to /hello, read whole: True if it is right."""
    got = b""
    while not got.endswith(BODY):
        b = s.recv(4096)
        if not b:
            return False
        got += b
    return got.startswith(b"HTTP/1.1 200") and got.count(BODY) == 1


def stats():
    s = socket.create_connection((host, 80), timeout=10)
    s.sendall(b"GET /stats HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    got = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        got += b
    s.close()
    return json.loads(got.partition(b"\r\n\r\n")[2])


conns, good = [], 0
try:
    for i in range(n):
        # Past SPILL, give the other CPUs' workers their tick (1 s) to
        # see it: they look at the network CPU's count when they wake.
        if i == spill + 10:
            time.sleep(2.5)
        s = socket.create_connection((host, 80), timeout=10)
        conns.append(s)
        s.sendall(REQ)
        good += answer(s)
except OSError as e:
    print("# after %d connections: %s" % (len(conns), e))
result("opened", good == n, "%d of %d answered" % (good, n))
st = stats()
per, nopen = st["conns_per_cpu"], st["conns_open"]
print("# conns_per_cpu %s conns_open %d" % (per, nopen))
# The /stats request's own connection is open too.
result("spilled", len(per) == 2 and per[0] >= spill and per[1] > 0 and
       sum(per) == nopen == n + 1, "per CPU %s" % per)
good = 0
try:
    for s in conns:
        s.sendall(REQ)
    for s in conns:
        good += answer(s)
except OSError as e:
    print("# second requests: %s" % e)
result("served", good == n, "%d of %d answered again" % (good, n))
for s in conns:
    s.close()
nopen = -1
for i in range(100):
    nopen = stats()["conns_open"]
    if nopen == 1:
        break
    time.sleep(0.1)
result("closed", nopen == 1, "conns_open %d" % nopen)
EOF
note <"$tmp/client.out"
# res NAME DESCRIPTION: the client's result NAME as a case.
res() {
	if grep -q "^result $1 1" "$tmp/client.out"; then
		ok "$2"
	else
		fail "$2"
	fi
}
res opened "$CONNS keep-alive connections opened, each answered"
res spilled "CPU 0 holds at least $SPILL of them, CPU 1 the rest"
res served "a second request on each, all at once, answered"
res closed "closed by the client: conns_open falls back"
if pid=$(cat "$tmp/web.pid" 2>/dev/null) && kill -0 "$pid" 2>/dev/null
then
	ok "the webserver is still running"
else
	note <"$out"
	fail "the webserver is still running"
fi
