#!/bin/bash
# web.sh: the webserver and fetch examples judged by real tools:
#  - the simulated webserver on a TAP interface inside a network
#    namespace this script makes: curl gets /, /hello, /stats (JSON by
#    python3 -m json.tool), a 404, HEAD, keep-alive (one connection for
#    two URLs), Connection: close, 100 concurrent connections, open
#    connections held by the network CPU's workers (/stats); tshark
#    reads the capture (--pcap) and sees HTTP;
#  - fetch against python3's http.server in the namespace: 10 MiB and
#    bodies around SHA-256's padding boundaries (sha256sum agrees),
#    chunked and close-delimited bodies, a 404's exit status; a URL with
#    a host name that dnsmasq in the namespace resolves (dns=), and one
#    it says does not exist;
#  - with netem on the namespace's side of the TAP (loss, reordering,
#    duplicates, delay): the 10 MiB fetch and a 10 MiB TCP echo round
#    trip (the echo example) still match;
#  - user-mode networking: the simulator and the native image (QEMU TCG,
#    q35, microvm with modern and with legacy virtio-mmio (QEMU's
#    default), and q35 with idle=mwait) answer curl through a forwarded
#    port.
# Cases skip, saying why, when root or a tool is missing; they fail when
# a program is not built or the namespace cannot be set up.
. "$srcdir/tests/tap.sh"
plan 23

ns=toro-web-$$
. "$srcdir/tests/net/netns.sh"


# get URL PATTERN [CURL OPTIONS...]: curl's output (headers included)
# matches PATTERN.
get() {
	local url=$1 pat=$2
	shift 2
	curl -si -m 10 "$@" "$url" >"$tmp/get.out" 2>&1 &&
	    grep -q "$pat" "$tmp/get.out" && return 0
	note <"$tmp/get.out"
	return 1
}
# The 100 answers of 100 concurrent connections.
concurrent() {
	seq 100 | xargs -P 100 -I{} curl -s -m 30 "$1" >"$tmp/many.out" 2>&1
	[ "$(grep -c '^Hello from Toro!$' "$tmp/many.out")" -eq 100 ] &&
	    return 0
	tail -5 "$tmp/many.out" | note
	return 1
}

# held HOST: 20 keep-alive connections answered and left open are all
# held by the workers of CPU 0, which runs the network stack (/stats
# conns_per_cpu; the /stats request's own connection counts there too).
held() {
	python3 - "$1" <<'EOF'
import json, socket, sys
host = sys.argv[1]
def ask(path, close):
    s = socket.create_connection((host, 80), timeout=10)
    s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: t\r\n" +
              (b"Connection: close\r\n" if close else b"") + b"\r\n")
    got = b""
    while not (got.endswith(b"Hello from Toro!\n") and not close):
        b = s.recv(65536)
        if not b:
            break
        got += b
    return s, got
conns = [ask(b"/hello", False)[0] for i in range(20)]
per = json.loads(ask(b"/stats", True)[1].partition(b"\r\n\r\n")[2])["conns_per_cpu"]
print("# conns_per_cpu", per)
sys.exit(0 if len(per) == 4 and per[0] >= 21 and sum(per[1:]) == 0 else 1)
EOF
}

# A client in Python: close|echo HOST PORT.  close sends one request
# with Connection: close and wants the answer then the end of the
# stream; echo sends 10 MiB to the echo service and checks the SHA-256
# of what comes back.
client() {
	python3 - "$@" <<'EOF'
import hashlib, os, socket, sys, threading
kind, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.create_connection((host, port), timeout=30)
if kind == "close":
    s.sendall(b"GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    got = b""
    while True:
        b = s.recv(4096)
        if not b:
            break
        got += b
    ok = got.startswith(b"HTTP/1.1 200") and b"Connection: close" in got \
        and got.endswith(b"Hello from Toro!\n")
    sys.exit(0 if ok else 1)
data = os.urandom(10 << 20)
def send():
    try:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
    except OSError as e:
        print("echo: sending: %s" % e)
t = threading.Thread(target=send)
t.start()
h, n = hashlib.sha256(), 0
while True:
    try:
        b = s.recv(65536)
    except TimeoutError:
        print("echo: stalled after %d bytes of %d back" % (n, len(data)))
        sys.exit(1)
    if not b:
        break
    h.update(b)
    n += len(b)
t.join()
if n != len(data) or h.digest() != hashlib.sha256(data).digest():
    print("echo: got %d bytes of %d" % (n, len(data)))
    sys.exit(1)
EOF
}

# An HTTP server in Python for fetch: the files of its directory, plus
# /chunked/N and /close/N (N bytes of 'x', chunked or close-delimited).
server() {
	cd "$1" && exec python3 - "$2" <<'EOF'
import http.server, sys
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_GET(self):
        parts = self.path.split("/")
        if len(parts) == 3 and parts[1] in ("chunked", "close"):
            body = b"x" * int(parts[2])
            if parts[1] == "close":
                self.protocol_version = "HTTP/1.0"
                self.send_response(200)
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True
                return
            self.protocol_version = "HTTP/1.1"
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(body), 1000):
                c = body[i:i + 1000]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(c), c))
            self.wfile.write(b"0\r\n\r\n")
            return
        super().do_GET()
http.server.ThreadingHTTPServer(("192.168.78.1", int(sys.argv[1])), H) \
    .serve_forever()
EOF
}

# relay TAP DEV: what netem would do on TAP, in Python.  DEV is a new
# TAP device that stands for TAP's Linux side: frames Linux sends on
# DEV go to TAP's other end (the guest), 10% lost, 5% twice, 25% held
# back behind the next one, all 1 ms late; the guest's frames come back
# on DEV untouched.
relay() {
	exec python3 - "$@" <<'EOF'
import fcntl, os, random, select, socket, struct, sys, time
tap, dev = sys.argv[1], sys.argv[2]
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca,
            struct.pack("16sH", dev.encode(), 0x0002 | 0x1000 | 0x4000))
raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
raw.setsockopt(263, 15, 1)  # SOL_PACKET, PACKET_VNET_HDR
raw.bind((tap, 0))
held, due = [], []   # a frame held back; frames waiting out their delay
while True:
    timeout = max(0, due[0][0] - time.monotonic()) if due else 0.05
    r = select.select([fd, raw], [], [], timeout)[0]
    if raw in r:
        f, addr = raw.recvfrom(65536 + 256)
        if addr[2] != socket.PACKET_OUTGOING:
            os.write(fd, f)
    if fd in r:
        f = os.read(fd, 65536 + 256)
        if random.random() >= 0.10:
            out = [f] * (2 if random.random() < 0.05 else 1)
            if not held and random.random() < 0.25:
                held = out
                out = []
            else:
                out += held
                held = []
            t = time.monotonic() + 0.001
            due += [(t, x) for x in out]
    elif held and not r:
        due += [(time.monotonic() + 0.001, x) for x in held]
        held = []
    now = time.monotonic()
    while due and due[0][0] <= now:
        raw.send(due.pop(0)[1])
EOF
}

# fetch_ok OUT URL FILE: fetch printed FILE's length and SHA-256.
fetch_ok() {
	local sum len
	sum=$(sha256sum <"$3" | cut -d' ' -f1)
	len=$(stat -c %s "$3")
	grep -q "$2 200 OK, $len bytes, sha256 $sum" "$1" && return 0
	note <"$1"
	return 1
}

# fetch by name: dnsmasq as the namespace's DNS server, knowing only
# files.toro.test (no upstream, no /etc/hosts).
dns_cases() {
	if ! have dnsmasq; then
		skip_n 2 "dnsmasq is missing"
		return 0
	fi
	bg_ns dns "$tmp/dns.log" dnsmasq --keep-in-foreground --port=53 \
	    --listen-address=192.168.78.1 --bind-interfaces --no-resolv \
	    --no-hosts --address=/files.toro.test/192.168.78.1 \
	    --local=/toro.test/ --pid-file= \
	    --log-queries --log-facility=-
	for f in $(seq 50); do
		grep -q "started" "$tmp/dns.log" 2>/dev/null && break
		sleep 0.1
	done
	in_ns timeout 60 out/sim/fetch --net tap:tap0 -- ip=$ip/24 \
	    dns=192.168.78.1 http://files.toro.test:8000/s1000 \
	    >"$tmp/fetch5.out" 2>&1
	check "fetch by name, resolved by dnsmasq" fetch_ok \
	    "$tmp/fetch5.out" http://files.toro.test:8000/s1000 "$www/s1000"
	check "fetch: an unknown name is 'no such host'" bash -c "
	    ! ip netns exec $ns timeout 60 out/sim/fetch --net tap:tap0 -- \
		ip=$ip/24 dns=192.168.78.1 http://nosuch.toro.test:8000/ \
		>$tmp/fetch6.out 2>&1 &&
	    grep -q \"cannot resolve 'nosuch.toro.test': no such host\" \
		$tmp/fetch6.out || { sed 's/^/# /' $tmp/fetch6.out; exit 1; }"
	stop dns
}

# The simulator on TAP, in a namespace of our own.
tap_cases() {
	local out=$tmp/web.out pcap=$tmp/web.pcap ip=192.168.78.2 url
	local www=$tmp/www srv=http://192.168.78.1:8000 f
	ip netns add "$ns" || return 1
	in_ns ip link set lo up
	in_ns ip tuntap add dev tap0 mode tap || return 1
	in_ns ip addr add 192.168.78.1/24 dev tap0
	in_ns ip link set tap0 up
	url=http://$ip
	bg_ns web "$out" out/sim/webserver --cpus 4 --net tap:tap0 \
	    --pcap "$pcap" -- ip=$ip/24 gw=192.168.78.1
	check "webserver up on TAP" wait_for "$out" "serving http://$ip:80/"
	check "GET /" in_ns bash -c "$(declare -f get note);
	    tmp=$tmp get $url/ 'Hello from Toro</h1>' &&
	    grep -q 'Content-Length: ' $tmp/get.out"
	check "GET /hello" in_ns bash -c "$(declare -f get note);
	    tmp=$tmp get $url/hello '^Hello from Toro!$'"
	check "GET /stats is JSON" in_ns bash -c "curl -s -m 10 $url/stats |
	    python3 -m json.tool | grep -q '\"tcp_passive_opens\": [1-9]'"
	check "404, and HEAD without a body" in_ns bash -c "$(declare -f get note);
	    tmp=$tmp get $url/nope 'HTTP/1.1 404' &&
	    curl -sI -m 10 $url/hello >$tmp/head.out &&
	    grep -q 'Content-Length: 17' $tmp/head.out &&
	    ! grep -q Hello $tmp/head.out"
	check "keep-alive: two URLs on one connection" in_ns bash -c "
	    test \$(curl -sv -m 10 $url/ $url/hello 2>&1 |
	    grep -c 'Re-using\|Reusing') -eq 1"
	check "Connection: close honoured" in_ns bash -c \
	    "$(declare -f client); client close $ip 80"
	check "100 concurrent connections, all answered" in_ns bash -c \
	    "$(declare -f concurrent note); tmp=$tmp concurrent $url/hello"
	check "20 open connections, all on the network's CPU" in_ns bash -c \
	    "$(declare -f held); held $ip"
	stop web
	if have tshark; then
		check "tshark sees HTTP in the capture" bash -c "tshark -r \
		    '$pcap' -Y 'http.response.code == 200' 2>/dev/null |
		    grep -q 'HTTP/1.1 200 OK'"
	else
		skip "tshark is missing"
	fi

	# fetch against python3's http.server in the namespace.
	mkdir -p "$www"
	head -c $((10 << 20)) /dev/urandom >"$www/big"
	for f in 0 55 56 64 1000; do
		head -c $f /dev/urandom >"$www/s$f"
	done
	bg_ns httpd "$tmp/httpd.out" bash -c "$(declare -f server);
	    server $www 8000"
	for f in $(seq 50); do
		in_ns curl -s -o /dev/null -m 1 $srv/s0 && break
		sleep 0.1
	done
	in_ns timeout 60 out/sim/fetch --net tap:tap0 -- ip=$ip/24 \
	    $srv/big $srv/s0 $srv/s55 $srv/s56 $srv/s64 $srv/s1000 \
	    >"$tmp/fetch.out" 2>&1
	check "fetch 10 MiB: SHA-256 as sha256sum's" \
	    fetch_ok "$tmp/fetch.out" $srv/big "$www/big"
	check "fetch: SHA-256 of 0, 55, 56, 64 and 1000 bytes" bash -c "
	    $(declare -f fetch_ok note)
	    for f in 0 55 56 64 1000; do
		fetch_ok $tmp/fetch.out $srv/s\$f $www/s\$f || exit 1
	    done"
	head -c 100000 /dev/zero | tr '\0' x >"$tmp/x100k"
	check "fetch: chunked and close-delimited bodies" bash -c "
	    ip netns exec $ns timeout 60 out/sim/fetch --net tap:tap0 -- \
		ip=$ip/24 $srv/chunked/100000 $srv/close/100000 \
		>$tmp/fetch2.out 2>&1
	    $(declare -f fetch_ok note)
	    fetch_ok $tmp/fetch2.out $srv/chunked/100000 $tmp/x100k &&
	    fetch_ok $tmp/fetch2.out $srv/close/100000 $tmp/x100k"
	check "fetch: a 404 exits non-zero" bash -c "
	    ! ip netns exec $ns timeout 60 out/sim/fetch --net tap:tap0 -- \
		ip=$ip/24 $srv/missing >$tmp/fetch3.out 2>&1 &&
	    grep -q ' 404 ' $tmp/fetch3.out"
	dns_cases


	# A bad network on the namespace's side: what goes to the guest.
	# Without netem (a kernel without sch_netem), relay() does the same
	# between tap0 and a new tap1 that takes over the namespace's
	# address.
	if ! have tc || ! in_ns tc qdisc add dev tap0 root netem loss 10% \
	    reorder 25% duplicate 5% delay 1ms 2>"$tmp/tc.out"; then
		note <"$tmp/tc.out"
		echo "# no netem: a Python relay drops, reorders, duplicates"
		in_ns ip addr del 192.168.78.1/24 dev tap0
		bg_ns relay "$tmp/relay.out" bash -c "$(declare -f relay);
		    relay tap0 tap1"
		for f in $(seq 50); do
			in_ns ip link show tap1 >/dev/null 2>&1 && break
			sleep 0.1
		done
		if ! in_ns ip addr add 192.168.78.1/24 dev tap1 ||
		    ! in_ns ip link set tap1 up; then
			note <"$tmp/relay.out"
			skip_n 2 "neither netem nor the relay is available"
			stop httpd
			return 0
		fi
	fi
	in_ns timeout 90 out/sim/fetch --net tap:tap0 -- ip=$ip/24 \
	    $srv/big >"$tmp/fetch4.out" 2>&1
	check "netem: fetch 10 MiB, SHA-256 still right" \
	    fetch_ok "$tmp/fetch4.out" $srv/big "$www/big"
	stop httpd
	if [ -x out/sim/echo ]; then
		bg_ns echo "$tmp/echo.out" out/sim/echo --cpus 2 \
		    --net tap:tap0 -- ip=$ip/24 gw=192.168.78.1 90
		if wait_for "$tmp/echo.out" "serving port 7 on $ip"; then
			check "netem: TCP echo of 10 MiB, SHA-256 matches" \
			    in_ns bash -c "$(declare -f client note);
			    client echo $ip 7 | note; exit \${PIPESTATUS[0]}"
		else
			fail "netem: TCP echo of 10 MiB, SHA-256 matches"
		fi
		stop echo
	else
		fail "netem: TCP echo: the echo example is not built"
	fi
}

if [ ! -x out/sim/webserver ] || [ ! -x out/sim/fetch ]; then
	fail_n 22 "the webserver and fetch examples are not built"
	exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! have ip || [ ! -c /dev/net/tun ] ||
    ! have curl || ! have python3; then
	skip_n 17 "TAP needs root, ip, curl, python3 and /dev/net/tun"
else
	tap_cases
	[ "$tap_n" -eq 17 ] || fail_n $((17 - tap_n)) "TAP setup failed"
fi

# User-mode networking: the simulator, then QEMU.
port=$((20000 + ($$ + 7919) % 20000))
out=$tmp/user.out
if have curl; then
	timeout 60 out/sim/webserver --cpus 2 --net user \
	    --port $port:80 >"$out" 2>&1 &
	pids+=($!)
	if wait_for "$out" "serving http://10.0.2.15:80/"; then
		check "sim on user networking: curl through --port" \
		    get http://127.0.0.1:$port/hello '^Hello from Toro!$'
	else
		fail "sim on user networking: curl through --port"
	fi
	kill "${pids[-1]}" 2>/dev/null
else
	skip "sim on user networking: curl is missing"
fi
. "$srcdir/hal/native/qemu.sh"
# microvm:legacy runs QEMU's default virtio-mmio (version 1).  The last:
# idle=mwait, whose CPUs must still take the NIC's interrupts.
for c in q35 microvm microvm:legacy q35:mwait; do
	m=${c%%:*} append=() cpu=() what=$m mmio=
	if [ "$c" = microvm:legacy ]; then
		append=(-append loglevel=debug) mmio=legacy
		what="$m, legacy virtio-mmio"
	elif [ "$c" != "$m" ]; then
		append=(-append "idle=${c#*:}") cpu=(-cpu max) what="$m, idle=${c#*:}"
	fi
	if ! have qemu-system-x86_64 || ! have curl; then
		skip "native on $what: qemu-system-x86_64 or curl is missing"
		continue
	elif [ ! -f out/native/webserver.elf ]; then
		fail "native on $what: out/native/webserver.elf is not built"
		continue
	fi
	port=$((port + 1))
	out=$tmp/${c/:/-}.out
	# shellcheck disable=SC2046
	timeout 90 qemu-system-x86_64 $(TORO_QEMU_MMIO=$mmio \
	    toro_qemu_args $m 2 128) "${cpu[@]}" \
	    $(toro_qemu_net $m user $port:80) \
	    -kernel "$(toro_qemu_kernel $m out/native/webserver.elf)" \
	    "${append[@]}" >"$out" 2>&1 &
	pids+=($!)
	if ! wait_for "$out" "serving http://10.0.2.15:80/"; then
		fail "native on $what: curl through hostfwd"
	elif [ -n "$mmio" ] && ! grep -q "NIC virtio-mmio (legacy)" "$out"; then
		note <"$out"
		fail "native on $what: curl through hostfwd (the NIC is not legacy)"
	else
		check "native on $what: curl through hostfwd" \
		    get http://127.0.0.1:$port/hello '^Hello from Toro!$'
	fi
	kill "${pids[-1]}" 2>/dev/null
done
