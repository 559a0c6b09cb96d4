# conn.sh: many clients against the sim webserver (out/sim/webserver,
# 2 CPUs, 128 MiB, TAP) and nginx (one worker, worker_connections
# 20000, behind a veth), measured in the same run, in network
# namespaces made here (issue 13):
#  1. Connection: close req/s, wrk -t2 -c32, five 10 s runs back to
#     back (each run's ratio to the first; target within 15%);
#  2. keep-alive req/s after 60 s of churn (the five close runs and
#     10 s more) against a fresh server's: target within 10%.  The
#     fresh server is a twin (toro2 on tap1; nginx2 at .83.3) started
#     with the churned one and never churned; the two are measured in
#     turns, KA_RUNS runs each (medians), after the churn, and before it
#     too (how alike the twins are).  The churned server against its own
#     runs of a minute earlier measured the host's drift instead: in two
#     runs on 2026-12-07 (README) the twin fell as far as the churned
#     one (0.81 and 0.80 of its earlier runs), while churned / twin in
#     the same minutes read 1.06 and 0.94.  That ratio is still printed,
#     with the twin's;
#  3. 10,000 idle connections, then 200 new requests one after another
#     (tests/net/manyconn.py): their p99, target under 1 s;
#  4. a 10 s SYN flood at 20,000 SYN/s from spoofed addresses inside
#     the test subnet (out/bench/peers/synflood, raw socket): the share
#     of legitimate connects (100 a second) that succeed within 1 s,
#     during it (target 99%) and in the 5 s after (target all);
#  5. a soak at full keep-alive load (wrk -t2 -c32), 10 minutes: the
#     webserver's heap in use (/stats) at the start and at the end,
#     both measured idle (target within 5%).
# Parts 3 and 4 start each server afresh.  A part that fails says so
# and the others still run.  SHORT=1: 3 s runs, a 30 s soak, for
# trying it.
#
#	bash bench/conn.sh		(./toro bench conn; about 17 minutes)
#	SHORT=1 bash bench/conn.sh
. bench/common.sh
if [ -n "${SHORT:-}" ]; then
	D=3 KA_RUNS=3 CHURN=3 SOAK=30 IDLE=${IDLE:-2000}
else
	D=10 KA_RUNS=3 CHURN=10 SOAK=600 IDLE=${IDLE:-10000}
fi
PROBES=200

for t in ip wrk nginx python3 curl; do
	command -v "$t" >/dev/null 2>&1 ||
	    { echo "conn: skipped: $t is missing (./toro deps)"; exit 0; }
done
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ] ||
    [ ! -x out/sim/webserver ] || [ ! -x out/bench/peers/synflood ]; then
	echo "conn: skipped: needs root, /dev/net/tun, out/sim/webserver" \
	    "and out/bench/peers/synflood (make bench-programs)"
	exit 0
fi

# The client namespace $nc: tap0 (the sim at 192.168.82.2), tap1 (its
# twin for part 2 at 192.168.84.2) and veth vc (nginx in $ns at
# 192.168.83.2, its twin at .3).
bench_netns bc 192.168.83
bench_tap tap0 192.168.82
bench_tap tap1 192.168.84
ip netns exec "$ns" ip addr add 192.168.83.3/24 dev vs
toro_ip=192.168.82.2 nginx_ip=192.168.83.2
toro2_ip=192.168.84.2 nginx2_ip=192.168.83.3
# The commands started here, by pid file: killed themselves, not only
# their `ip netns exec` wrappers.
conn_cleanup() {
	local f
	for f in "$tmp"/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	bench_cleanup
}
trap conn_cleanup EXIT

# bg NAME NETNS COMMAND...: run COMMAND there in the background, output
# in $tmp/NAME.out; halt NAME ends it.
bg() {
	local name=$1 where=$2
	shift 2
	ip netns exec "$where" bash -c 'echo $$ >"$0"; exec timeout 1800 "$@"' \
	    "$tmp/$name.pid" "$@" >"$tmp/$name.out" 2>&1 &
	pids+=($!)
}
halt() {
	local pid i
	pid=$(cat "$tmp/$1.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	rm -f "$tmp/$1.pid"
}
in_c() { ip netns exec "$nc" "$@"; }
# up HOST: /hello answers within 20 s.
up() {
	local i
	for ((i = 0; i < 200; i++)); do
		in_c curl -s -m 1 -o /dev/null "http://$1/hello" && return 0
		sleep 0.1
	done
	return 1
}

# nginx_conf NAME ADDRESS: $tmp/NAME/nginx.conf, listening on ADDRESS.
nginx_conf() {
	mkdir -p "$tmp/$1"
	cat >"$tmp/$1/nginx.conf" <<EOF
daemon off;
worker_processes 1;
worker_rlimit_nofile 20000;
pid $tmp/$1/nginx.pid;
error_log $tmp/$1/error.log;
events { worker_connections 19000; }
http {
	access_log off;
	server_tokens off;
	client_body_temp_path $tmp/$1;
	proxy_temp_path $tmp/$1;
	fastcgi_temp_path $tmp/$1;
	uwsgi_temp_path $tmp/$1;
	scgi_temp_path $tmp/$1;
	keepalive_requests 1000000;
	server {
		listen $2:80 backlog=1024;
		location = /hello {
			default_type text/plain;
			return 200 "Hello from Toro!\n";
		}
	}
}
EOF
}
nginx_conf nginx $nginx_ip
nginx_conf nginx2 $nginx2_ip
# start_toro [NAME TAP IP]: a sim webserver afresh (default: toro).
start_toro() {
	local name=${1:-toro} tap=${2:-tap0} ip=${3:-$toro_ip}
	halt "$name"
	bg "$name" "$nc" out/sim/webserver --cpus 2 --net tap:$tap \
	    -- ip=$ip/24 gw=${ip%.*}.1
	up $ip || { echo "conn: the sim webserver $name did not answer"; cat "$tmp/$name.out"; return 1; }
}
# start_nginx [NAME IP]: nginx afresh (default: nginx).
start_nginx() {
	local name=${1:-nginx} ip=${2:-$nginx_ip}
	halt "$name"
	bg "$name" "$ns" nginx -c "$tmp/$name/nginx.conf" -p "$tmp/$name"
	up $ip || { echo "conn: $name did not answer"; cat "$tmp/$name.out" "$tmp/$name/error.log"; return 1; }
}

# rps HOST SECONDS [WRK OPTIONS]: wrk's requests/s on /hello.
rps() {
	local host=$1 d=$2 out
	shift 2
	out=$(in_c wrk -t2 -c32 -d"${d}s" "$@" "http://$host/hello" 2>&1)
	echo "$out" | grep -E 'Socket errors|Non-2xx' | sed "s|^|# $host: |" >&2
	echo "$out" | grep '^Requests/sec' | number
}
# heap: the sim webserver's heap bytes in use, from /stats.
heap() {
	in_c curl -s -m 5 "http://$toro_ip/stats" | python3 -c \
	    'import json, sys; print(json.load(sys.stdin)["heap_in_use"])'
}

# turns WHO TAG: KA_RUNS keep-alive runs of WHO and of its twin WHO2 in
# turns, which of them goes first swapped every round, so that neither
# always runs right after the churn: req/s into $tmp/TAG.WHO and
# $tmp/TAG.WHO2.
turns() {
	local who=$1 tag=$2 i a b ha hb
	: >"$tmp/$tag.$who"
	: >"$tmp/$tag.${who}2"
	for ((i = 0; i < KA_RUNS; i++)); do
		if ((i % 2 == 0)); then a=$who b=${who}2; else a=${who}2 b=$who; fi
		ha=${a}_ip hb=${b}_ip
		rps "${!ha}" "$D" >>"$tmp/$tag.$a"
		rps "${!hb}" "$D" >>"$tmp/$tag.$b"
	done
}

# Parts 1 and 2.
part_churn() {
	local who host i r first n ob tb oa ta
	for who in toro nginx; do
		eval host=\$${who}_ip
		turns "$who" before
		: >"$tmp/close.$who"
		first=
		for ((i = 1; i <= 5; i++)); do
			r=$(rps "$host" "$D" -H "Connection: close")
			r=${r:-0}
			echo "$r" >>"$tmp/close.$who"
			first=${first:-$r}
			echo "# $who close run $i: $r req/s, ratio to run 1 $(ratio "$r" "$first")"
		done
		rps "$host" "$CHURN" -H "Connection: close" >/dev/null
		turns "$who" after
		ob=$(median <"$tmp/before.$who")
		tb=$(median <"$tmp/before.${who}2")
		oa=$(median <"$tmp/after.$who")
		ta=$(median <"$tmp/after.${who}2")
		echo "# $who keep-alive, churned server / fresh twin: before the churn $ob / $tb req/s ($(ratio "$ob" "$tb")), after it $oa / $ta ($(ratio "$oa" "$ta"))"
		echo "# $who keep-alive after the churn / before it (the host's drift in it): churned $(ratio "$oa" "$ob"), twin $(ratio "$ta" "$tb")"
		n=$(sort -g "$tmp/close.$who" | head -1)
		echo "$who $(median <"$tmp/close.$who") $(ratio "$n" "$first") $ta $oa" >>"$tmp/churn"
	done
	read -r _ tc tw tf ta <<<"$(grep '^toro' "$tmp/churn")"
	read -r _ nc_ nw nf na <<<"$(grep '^nginx' "$tmp/churn")"
	r=$(ratio "$tc" "$nc_")
	echo "Connection: close, wrk -t2 -c32 ${D}s x5 (median): toro $tc req/s, nginx $nc_ req/s; ratio $r (target >= 1.0: $(verdict "$r" ">=" 1.0))"
	echo "  slowest run / first run: toro $tw (target >= 0.85: $(verdict "$tw" ">=" 0.85)), nginx $nw"
	echo "keep-alive after $((5 * D + CHURN)) s of churn / a fresh twin, ${D}s x$KA_RUNS each in turns (medians): toro $(ratio "$ta" "$tf") ($ta / $tf req/s; target >= 0.9: $(verdict "$(ratio "$ta" "$tf")" ">=" 0.9)), nginx $(ratio "$na" "$nf") ($na / $nf)"
	echo "  toro / nginx keep-alive: fresh $(ratio "$tf" "$nf"), after churn $(ratio "$ta" "$na")"
}

# Part 3.
part_idle() {
	local who host p99
	for who in toro nginx; do
		eval host=\$${who}_ip
		in_c timeout 300 python3 tests/net/manyconn.py "$host" 80 \
		    "$IDLE" 0 0 "$PROBES" >"$tmp/idle.$who" 2>&1
		grep -v "stats_" "$tmp/idle.$who" | sed "s/^/# $who: /"
		grep -q "^result idle_open 1" "$tmp/idle.$who" ||
		    echo "conn: $who did not hold $IDLE idle connections"
		p99=$(awk '$2 == "probe_p99_ms" { print $3 }' "$tmp/idle.$who")
		echo "$who ${p99:-nan}" >>"$tmp/idle"
	done
	read -r _ tp <<<"$(grep '^toro' "$tmp/idle")"
	read -r _ np <<<"$(grep '^nginx' "$tmp/idle")"
	echo "$IDLE idle connections held, $PROBES new requests: p99 toro $tp ms (target < 1000: $(verdict "$tp" "<=" 1000)), nginx $np ms; ratio $(ratio "$tp" "$np")"
}

# probe HOST SECONDS: legitimate connects, 100 a second for SECONDS,
# each given 1 s: "OK TOTAL".
probe() {
	in_c python3 - "$@" <<'EOF'
import selectors, socket, sys, time
host, secs = sys.argv[1], float(sys.argv[2])
sel = selectors.DefaultSelector()
ok = total = 0
start = time.monotonic()
nxt = start
pending = {}
while time.monotonic() < start + secs or pending:
    now = time.monotonic()
    if now >= nxt and now < start + secs:
        s = socket.socket()
        s.setblocking(False)
        try:
            s.connect((host, 80))
        except BlockingIOError:
            pass
        except OSError:
            s.close()
            s = None
        total += 1
        if s is not None:
            sel.register(s, selectors.EVENT_WRITE)
            pending[s] = now
        nxt += 0.01
    for key, _ in sel.select(timeout=0.002):
        s = key.fileobj
        sel.unregister(s)
        t = pending.pop(s)
        if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0 and \
                time.monotonic() - t <= 1.0:
            ok += 1
        s.close()
    for s, t in list(pending.items()):
        if time.monotonic() - t > 1.0:
            sel.unregister(s)
            del pending[s]
            s.close()
print(ok, total)
EOF
}

# Part 4.
part_flood() {
	local who host net during after
	for who in toro nginx; do
		eval host=\$${who}_ip
		net=${host%.*}
		bg flood "$nc" out/bench/peers/synflood "$host" 80 "$net" 20000 10
		during=$(probe "$host" 10)
		after=$(probe "$host" 5)
		halt flood
		echo "# $who: $(cat "$tmp/flood.out")"
		read -r dok dn <<<"$during"
		read -r aok an <<<"$after"
		echo "$who $(ratio "$dok" "$dn" 4) $(ratio "$aok" "$an" 4) $dok/$dn $aok/$an" >>"$tmp/flood"
	done
	read -r _ td ta tdn tan <<<"$(grep '^toro' "$tmp/flood")"
	read -r _ nd na ndn nan_ <<<"$(grep '^nginx' "$tmp/flood")"
	echo "SYN flood 20,000/s for 10 s from spoofed in-subnet addresses, connects within 1 s: during: toro $td ($tdn; target >= 0.99: $(verdict "$td" ">=" 0.99)), nginx $nd ($ndn); after: toro $ta ($tan; target 1: $(verdict "$ta" ">=" 1)), nginx $na ($nan_)"
}

# Part 5.
part_soak() {
	local h0 h1 r
	rps $toro_ip 10 >/dev/null
	sleep 1
	h0=$(heap)
	r=$(rps $toro_ip "$SOAK")
	sleep 1
	h1=$(heap)
	echo "# soak: ${r:-fail} req/s for $SOAK s"
	r=$(ratio "${h1:-0}" "${h0:-0}" 3)
	echo "soak, keep-alive full load $SOAK s: heap in use at start $h0 bytes, at the end $h1 bytes: ratio $r (target within 5%: $(awk -v r="$r" 'BEGIN { print (r >= 0.95 && r <= 1.05) ? "met" : "NOT met" }'))"
}

# part NAME: run part_NAME; a failure is reported and the rest go on.
part() {
	echo "# part $1"
	"part_$1" || echo "conn: part $1 FAILED"
}

start_toro && start_toro toro2 tap1 $toro2_ip && start_nginx &&
    start_nginx nginx2 $nginx2_ip && part churn
halt toro2
halt nginx2
start_toro && start_nginx && part idle
start_toro && start_nginx && part flood
start_toro && part soak
halt toro
halt nginx
echo "(numbers from a loaded machine are noisy; see bench/README.md)"
