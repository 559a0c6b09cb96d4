# memcached.sh: memcached's requests per second, Toro against Linux:
# memcslap (libmemcached-tools; 50 threads, EXEC requests each, sets
# then gets) against memcached 1.6 built unchanged from Debian's source
# for the sim (out/mc/memcached, tests/net/memcached.mk; 2 CPUs, -t 2)
# on a TAP interface vs Debian's own memcached binary of the same
# source (its .deb, fetched with apt-get download into out/mc/peer and
# unpacked there, never installed; -t 2) behind a veth pair.  Same
# memcslap commands for both, alternating, RUNS times (default 5).
#
#	EXEC=2000 RUNS=5 bash bench/memcached.sh
#
# MC=PATH runs another build of the sim memcached (one kept aside, to
# compare before and after a change against the same peer).
RUNS=${RUNS:-5}
. bench/common.sh
EXEC=${EXEC:-2000}
MC=${MC:-out/mc/memcached}
PEER=out/mc/peer/usr/bin/memcached

for t in ip memcslap memcstat apt-get dpkg-deb; do
	command -v "$t" >/dev/null 2>&1 ||
	    { echo "memcached: skipped: $t is missing (./toro deps)"; exit 0; }
done
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ]; then
	echo "memcached: skipped: needs root and /dev/net/tun"
	exit 0
fi
make -s out/mc/memcached || { echo "memcached: the build failed (out/mc/build.log)"; exit 1; }
[ -x "$MC" ] || { echo "memcached: skipped: $(cat out/mc/nosource)"; exit 0; }
if [ ! -x "$PEER" ]; then
	rm -rf out/mc/peer && mkdir -p out/mc/peer/deb &&
	    (cd out/mc/peer/deb &&
	    apt-get -qq -o APT::Sandbox::User=root download memcached) &&
	    dpkg-deb -x out/mc/peer/deb/memcached_*.deb out/mc/peer ||
	    { echo "memcached: Debian's memcached could not be fetched"; exit 1; }
fi

# The client namespace: tap0 (the sim, 192.168.81.2) and veth vc (Linux's
# memcached in the server namespace at 192.168.82.2).
bench_netns bm 192.168.82
bench_tap tap0 192.168.81
mkdir -p "$tmp/root/etc"
echo 'root:x:0:0:root:/root:/bin/sh' >"$tmp/root/etc/passwd"
ip netns exec "$ns" timeout 900 "$PEER" -u root -l 192.168.82.2 -p 11211 \
    -U 0 -t 2 >"$tmp/peer.out" 2>&1 &
pids+=($!)
ip netns exec "$nc" timeout 900 "$MC" --cpus 2 --net tap:tap0 \
    --share "$tmp/root" -- ip=192.168.81.2/24 gw=192.168.81.1 -u root \
    -p 11211 -U 0 -t 2 >"$tmp/mc.out" 2>&1 &
pids+=($!)

# up SERVER: it answers within 20 s.
up() {
	local i
	for ((i = 0; i < 200; i++)); do
		ip netns exec "$nc" memcstat -s "$1" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
toro=192.168.81.2:11211 linux=192.168.82.2:11211
up $toro || { echo "memcached: the sim did not answer"; cat "$tmp/mc.out"; exit 1; }
up $linux || { echo "memcached: Linux's did not answer"; cat "$tmp/peer.out"; exit 1; }

# stat SERVER NAME: the server's counter NAME.
stat() {
	ip netns exec "$nc" memcstat -s "$1" |
	    awk -v k="$2:" '$1 == k { print $2 }'
}
# ops SERVER set|get COUNTER: requests per second of memcslap's run;
# nothing when the server did not count every request (memcslap does
# not report errors).
ops() {
	local before after out secs n=$((50 * EXEC))
	before=$(stat "$1" "$3")
	out=$(ip netns exec "$nc" timeout 300 memcslap -s "$1" -c 50 \
	    -e "$EXEC" -t "$2" 2>&1)
	after=$(stat "$1" "$3")
	secs=$(echo "$out" | grep -E "^Time to $2 +$n keys" |
	    sed 's/.*threads: *//' | number)
	[ -n "$secs" ] && [ $((after - before)) -ge $n ] || {
		echo "# $1 $2: $3 went from $before to $after" >&2
		return
	}
	awk -v n=$n -v s="$secs" 'BEGIN { printf "%.0f\n", n / s }'
}
for t in set get; do
	c=cmd_set
	[ $t = get ] && c=get_hits
	: >"$tmp/t.$t"
	: >"$tmp/l.$t"
	for i in $(seq "$RUNS"); do
		a=$(ops $toro $t $c)
		b=$(ops $linux $t $c)
		echo "# $t run $i: toro ${a:-fail}/s, linux ${b:-fail}/s"
		echo "${a:-0}" >>"$tmp/t.$t"
		echo "${b:-0}" >>"$tmp/l.$t"
	done
done
for t in set get; do
	a=$(median <"$tmp/t.$t")
	b=$(median <"$tmp/l.$t")
	echo "memcached $t, memcslap 50 threads x $EXEC (median of $RUNS): toro (sim, 2 CPUs, TAP) $a/s, linux (Debian's memcached, veth) $b/s"
	echo "ratio: toro / linux ($t) = $(ratio "$a" "$b")"
done
