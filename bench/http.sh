# http.sh: HTTP requests per second, keep-alive, a small page: wrk
# against the sim webserver (out/sim/webserver) on a TAP interface vs
# nginx with one worker serving the same body ("Hello from Toro!\n")
# behind a veth pair.  wrk runs in one network namespace made here (it
# holds the TAP and one end of the veth); nginx runs in a second one.
# Same wrk command for both, alternating, RUNS times (default 3).
#
#	WRK="-t2 -c32 -d5s" TORO_CPUS=1 RUNS=3 bash bench/http.sh
#
# WEB=PATH runs another build of the sim webserver (an older one kept
# aside, to compare before and after a change against the same peer).
RUNS=${RUNS:-3}
. bench/common.sh
WRK=${WRK:-"-t2 -c32 -d5s"}
TORO_CPUS=${TORO_CPUS:-1}	# one sim CPU against one nginx worker
WEB=${WEB:-out/sim/webserver}

for t in ip wrk nginx; do
	command -v "$t" >/dev/null 2>&1 ||
	    { echo "http: skipped: $t is missing (./toro deps)"; exit 0; }
done
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ] ||
    [ ! -x "$WEB" ]; then
	echo "http: skipped: needs root, /dev/net/tun and $WEB"
	exit 0
fi

# The client namespace: tap0 (the sim, 192.168.79.2) and veth vc (nginx
# in the server namespace at 192.168.80.2).
bench_netns bh 192.168.80
bench_tap tap0 192.168.79

# nginx: one worker, no access log, the same body from memory.
mkdir -p "$tmp/nginx"
cat >"$tmp/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	server_tokens off;
	client_body_temp_path $tmp/nginx;
	proxy_temp_path $tmp/nginx;
	fastcgi_temp_path $tmp/nginx;
	uwsgi_temp_path $tmp/nginx;
	scgi_temp_path $tmp/nginx;
	keepalive_requests 1000000;
	server {
		listen 192.168.80.2:80;
		location = /hello {
			default_type text/plain;
			return 200 "Hello from Toro!\n";
		}
	}
}
EOF
ip netns exec "$ns" timeout 600 nginx -c "$tmp/nginx/nginx.conf" \
    -p "$tmp/nginx" >"$tmp/nginx.out" 2>&1 &
pids+=($!)
ip netns exec "$nc" timeout 600 "$WEB" --cpus "$TORO_CPUS" \
    --net tap:tap0 -- ip=192.168.79.2/24 gw=192.168.79.1 \
    >"$tmp/web.out" 2>&1 &
pids+=($!)

# up URL: it answers within 20 s.
up() {
	local i
	for ((i = 0; i < 200; i++)); do
		ip netns exec "$nc" curl -s -m 1 -o /dev/null "$1" && return 0
		sleep 0.1
	done
	return 1
}
toro_url=http://192.168.79.2/hello nginx_url=http://192.168.80.2/hello
up "$toro_url" || { echo "http: the sim webserver did not answer"; cat "$tmp/web.out"; exit 1; }
up "$nginx_url" || { echo "http: nginx did not answer"; cat "$tmp/nginx.out" "$tmp/nginx/error.log"; exit 1; }
echo "# toro body: $(ip netns exec "$nc" curl -s "$toro_url" | od -c | head -1)"
echo "# nginx body: $(ip netns exec "$nc" curl -s "$nginx_url" | od -c | head -1)"

# rps URL: wrk's requests/s; errors (non-2xx, socket errors) go to stderr.
rps() {
	local out
	# shellcheck disable=SC2086
	out=$(ip netns exec "$nc" wrk $WRK "$1" 2>&1)
	echo "$out" | grep -E 'Socket errors|Non-2xx' | sed "s|^|# $1: |" >&2
	echo "$out" | grep '^Requests/sec' | number
}
: >"$tmp/t"
: >"$tmp/n"
for i in $(seq "$RUNS"); do
	t=$(rps "$toro_url")
	n=$(rps "$nginx_url")
	echo "# run $i: toro ${t:-fail} req/s, nginx ${n:-fail} req/s"
	echo "${t:-0}" >>"$tmp/t"
	echo "${n:-0}" >>"$tmp/n"
done
toro=$(median <"$tmp/t")
peer=$(median <"$tmp/n")
r=$(ratio "$toro" "$peer")
echo "HTTP keep-alive, wrk $WRK, /hello (median of $RUNS): toro (sim, $TORO_CPUS CPU, TAP) $toro req/s, nginx (1 worker, veth) $peer req/s"
echo "ratio: toro / nginx = $r (target >= 1.0: $(verdict "$r" ">=" 1.0))"
