# tcp.sh: TCP bulk throughput, the sim on a TAP interface vs Linux on a
# veth pair, same tools, alternating, RUNS times (default 3).  MB/s is
# 10^6 bytes of payload per second.
#
#  - Linux -> guest: out/sim/fetch downloads SIZE MiB (default 100) from
#    a Linux sender (Python, socket.sendfile of a file in the page
#    cache: zero-copy, not the bottleneck); fetch hashes the body with
#    SHA-256 as it goes, so the Linux receiver does the same work:
#    curl | sha256sum.  With 2 CPUs (TORO_CPUS, the default) fetch
#    hashes on its second CPU while the first receives, as sha256sum
#    hashes in a process of its own while curl receives.  The two hashes
#    cost the same: Debian's sha256sum (coreutils 9.1) is gnulib's plain
#    C SHA-256, not OpenSSL's (ldd: libc only), and fetch's (plain C
#    too) takes 57 instructions a byte under callgrind to its 53, the
#    same user time on 100 MiB; so this compares the stacks, not the
#    hash code.  And without the hash: `fetch -n` (bytes counted only)
#    against curl -o /dev/null, the network alone.  Both read the socket
#    100 KiB at a time (curl's buffer; fetch read 16 KiB until
#    2026-12-07).  Wall time of the
#    whole receiving command, the sim's start-up included (printed
#    once, on its own, for scale).
#  - round trip through the guest: a Linux client sends SIZE MiB to the
#    echo example (port 7) and counts what comes back; the peer is an
#    echo server in Python (a thread per connection: recv_into 256 KiB,
#    sendall) in another namespace; the echo example reads 64 KiB at a
#    time and serves the connection on the network CPU.  Every byte crosses the link twice:
#    this is sim -> Linux and Linux -> sim at once, not sim -> Linux
#    alone (no example sends bulk data by itself).  The peer used to be
#    socat's echo (TCP-LISTEN PIPE), which deadlocks: it reads a block
#    from TCP and writes it into its own pipe with a blocking write, and
#    when the pipe has less room than that (the client reads back more
#    slowly for a moment) the write waits for a reader that is socat
#    itself; that was the client timeout seen on the Linux side.  (With
#    -b 4096 it cannot block, but runs 4x slower: no fair peer.)
#
#	SIZE=100 TORO_CPUS=2 RUNS=3 bash bench/tcp.sh
RUNS=${RUNS:-3}
. bench/common.sh
SIZE=${SIZE:-100}	# MiB
TORO_CPUS=${TORO_CPUS:-2}

for t in ip curl python3 sha256sum; do
	command -v "$t" >/dev/null 2>&1 ||
	    { echo "tcp: skipped: $t is missing (./toro deps)"; exit 0; }
done
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ] ||
    [ ! -x out/sim/fetch ] || [ ! -x out/sim/echo ]; then
	echo "tcp: skipped: needs root, /dev/net/tun, out/sim/fetch and out/sim/echo"
	exit 0
fi

# Namespace nc: tap0 (the sim's echo at 192.168.81.2), tap1 (the sim's
# fetch at 192.168.83.2) and veth vc (192.168.82.1), whose peer vs
# (192.168.82.2) is in namespace ns.
bench_netns bt 192.168.82
bench_tap tap0 192.168.81
bench_tap tap1 192.168.83
in_nc() { ip netns exec "$nc" "$@"; }
in_ns() { ip netns exec "$ns" "$@"; }

bytes=$((SIZE << 20))
head -c "$bytes" /dev/urandom >"$tmp/big"
head -c 0 /dev/zero >"$tmp/empty"
sum=$(sha256sum <"$tmp/big" | cut -d' ' -f1)

# The sender, in nc on both addresses: GET /big or /empty, answered
# with Content-Length and sendfile; keep-alive until the client closes.
ip netns exec "$nc" timeout 600 python3 - "$tmp" <<'EOF' >"$tmp/sender.out" 2>&1 &
import os, socket, sys, threading
d = sys.argv[1]
def serve(c):
    with c:
        buf = b""
        while True:
            while b"\r\n\r\n" not in buf:
                b = c.recv(65536)
                if not b:
                    return
                buf += b
            req, buf = buf.split(b"\r\n\r\n", 1)
            name = req.split(b" ")[1].decode().lstrip("/")
            with open(os.path.join(d, name), "rb") as f:
                n = os.fstat(f.fileno()).st_size
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % n)
                if n:
                    c.sendfile(f)
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("0.0.0.0", 8000))
l.listen(16)
while True:
    threading.Thread(target=serve, args=(l.accept()[0],), daemon=True).start()
EOF
pids+=($!)
ip netns exec "$ns" timeout 600 python3 - <<'EOF' >"$tmp/echo-peer.out" 2>&1 &
import socket, threading
def serve(c):
    with c:
        buf = bytearray(262144)
        v = memoryview(buf)
        while True:
            k = c.recv_into(buf)
            if not k:
                return
            c.sendall(v[:k])
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("0.0.0.0", 7))
l.listen(16)
while True:
    threading.Thread(target=serve, args=(l.accept()[0],), daemon=True).start()
EOF
pids+=($!)
ip netns exec "$nc" timeout 600 out/sim/echo --cpus "$TORO_CPUS" --net tap:tap0 -- \
    ip=192.168.81.2/24 gw=192.168.81.1 >"$tmp/echo.out" 2>&1 &
pids+=($!)
for i in $(seq 100); do
	in_ns curl -s -m 1 -o /dev/null http://192.168.82.1:8000/empty &&
	    grep -q "serving port 7" "$tmp/echo.out" &&
	    in_nc bash -c 'exec 3<>/dev/tcp/192.168.82.2/7' 2>/dev/null && break
	sleep 0.1
done

# mbps NS START_NS: SIZE MiB over the time since START_NS, in MB/s.
mbps() { awk -v b="$bytes" -v t="$(( $(now_ns) - $1 ))" \
	'BEGIN { printf "%.1f\n", b / (t / 1e9) / 1e6 }'; }

# Linux -> guest; toro_fetch -n: without the hash.
toro_fetch() {
	local t0 out want="200 OK, $bytes bytes, sha256 $sum"
	[ "${1:-}" = -n ] && want="200 OK, $bytes bytes\$"
	t0=$(now_ns)
	out=$(in_nc timeout 120 out/sim/fetch --cpus "$TORO_CPUS" \
	    --net tap:tap1 -- ip=192.168.83.2/24 $1 \
	    http://192.168.83.1:8000/big 2>&1)
	local r; r=$(mbps "$t0")
	echo "$out" | grep -q "$want" ||
	    { echo "# toro fetch $1 failed: $out" >&2; echo 0; return; }
	echo "$r"
}
linux_fetch() {
	local t0 got r
	t0=$(now_ns)
	got=$(in_ns curl -s -m 120 http://192.168.82.1:8000/big | sha256sum)
	r=$(mbps "$t0")
	[ "${got%% *}" = "$sum" ] || { echo "# curl | sha256sum failed" >&2; echo 0; return; }
	echo "$r"
}
linux_fetch_nohash() {
	local t0
	t0=$(now_ns)
	in_ns curl -s -m 120 -o /dev/null http://192.168.82.1:8000/big
	mbps "$t0"
}

# Round trip: send SIZE MiB to HOST:7, count what comes back.
echo_client() {
	python3 - "$1" "$bytes" <<'EOF'
import socket, sys, threading, time
host, n = sys.argv[1], int(sys.argv[2])
s = socket.create_connection((host, 7), timeout=60)
chunk = b"\x5a" * 65536
def send():
    left = n
    while left:
        k = s.send(chunk[:min(left, len(chunk))])
        left -= k
    s.shutdown(socket.SHUT_WR)
t0 = time.monotonic()
th = threading.Thread(target=send)
th.start()
got = 0
buf = bytearray(262144)
while True:
    k = s.recv_into(buf)
    if not k:
        break
    got += k
dt = time.monotonic() - t0
th.join()
if got != n:
    print("echo: %d of %d bytes back" % (got, n), file=sys.stderr)
    print(0)
else:
    print("%.1f" % (n / dt / 1e6))
EOF
}

# The sim's start-up, for scale: fetch of an empty body.
t0=$(now_ns)
in_nc timeout 60 out/sim/fetch --cpus "$TORO_CPUS" --net tap:tap1 -- \
    ip=192.168.83.2/24 http://192.168.83.1:8000/empty >/dev/null 2>&1
echo "# sim fetch of an empty body (start-up + one request): $(( ($(now_ns) - t0) / 1000000 )) ms"

: >"$tmp/tf"; : >"$tmp/lf"; : >"$tmp/tn"; : >"$tmp/ln"
: >"$tmp/te"; : >"$tmp/le"
for i in $(seq "$RUNS"); do
	a=$(toro_fetch); b=$(linux_fetch)
	n=$(toro_fetch -n); c=$(linux_fetch_nohash)
	d=$(in_nc bash -c "$(declare -f echo_client); bytes=$bytes echo_client 192.168.81.2")
	e=$(in_nc bash -c "$(declare -f echo_client); bytes=$bytes echo_client 192.168.82.2")
	echo "# run $i: fetch toro $a, curl|sha256sum $b; fetch -n $n, curl $c; echo toro $d, Linux $e MB/s"
	# A transfer that failed has no figure: stop rather than report one.
	for v in "$a" "$b" "$n" "$c" "$d" "$e"; do
		case "$v" in ''|0|0.0) echo "tcp: run $i failed (see above)" >&2
			exit 1 ;;
		esac
	done
	echo "$a" >>"$tmp/tf"; echo "$b" >>"$tmp/lf"
	echo "$n" >>"$tmp/tn"; echo "$c" >>"$tmp/ln"
	echo "${d:-0}" >>"$tmp/te"; echo "${e:-0}" >>"$tmp/le"
done
tf=$(median <"$tmp/tf") lf=$(median <"$tmp/lf")
tn=$(median <"$tmp/tn") ln=$(median <"$tmp/ln")
te=$(median <"$tmp/te") le=$(median <"$tmp/le")
echo "Linux -> guest, $SIZE MiB, body hashed with SHA-256 (median of $RUNS): toro fetch (sim, $TORO_CPUS CPU, TAP) $tf MB/s, Linux curl | sha256sum (veth) $lf MB/s"
echo "ratio: toro / Linux = $(ratio "$tf" "$lf")"
echo "Linux -> guest, $SIZE MiB, not hashed (median of $RUNS): toro fetch -n $tn MB/s, Linux curl -o /dev/null $ln MB/s"
echo "ratio: toro / Linux = $(ratio "$tn" "$ln")"
echo "round trip through the guest, $SIZE MiB each way (median of $RUNS): toro echo (sim, $TORO_CPUS CPU, TAP) $te MB/s, Linux echo (Python, veth) $le MB/s"
echo "ratio: toro / Linux = $(ratio "$te" "$le")"
