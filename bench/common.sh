# common.sh: helpers for the benchmark scripts (sourced).
#
# Every benchmark runs its subject and a peer in the same run, several
# times each, interleaved, and reports medians and their ratio.
RUNS=${RUNS:-5}

# median: the median of the numbers on stdin.
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan"; exit }
		if (NR % 2) print v[(NR + 1) / 2];
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# number: the first number in a line of text on stdin.
number() { grep -Eo '[0-9]+(\.[0-9]+)?' | head -1; }

# ratio A B [DIGITS]: A / B.
ratio() { awk -v a="$1" -v b="$2" -v d="${3:-2}" \
	'BEGIN { if (b == 0) print "inf"; else printf "%.*f\n", d, a / b }'; }

# now_ns: monotonic-enough wall time in ns.
now_ns() { date +%s%N; }

# verdict VALUE OP TARGET: "met" or "NOT met" for a target like ">= 5".
verdict() {
	awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {
		ok = (op == ">=") ? v >= t : v <= t
		print ok ? "met" : "NOT met" }'
}

# bench_netns TAG NET: a scratch folder $tmp and two network namespaces,
# $nc (the client side, where the simulator's TAPs go) and $ns (the
# Linux peer), joined by veth vc (NET.1, in $nc) and vs (NET.2, in $ns).
# A trap ends the commands in $pids and removes all of it.
bench_netns() {
	tmp=$(mktemp -d)
	nc=toro-$1-c$$ ns=toro-$1-s$$
	pids=()
	trap bench_cleanup EXIT
	ip netns add "$nc" && ip netns add "$ns" || exit 1
	ip netns exec "$nc" ip link set lo up
	ip netns exec "$ns" ip link set lo up
	ip link add vc netns "$nc" type veth peer name vs netns "$ns"
	ip netns exec "$nc" ip addr add "$2.1/24" dev vc
	ip netns exec "$ns" ip addr add "$2.2/24" dev vs
	ip netns exec "$nc" ip link set vc up
	ip netns exec "$ns" ip link set vs up
}
bench_cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$nc" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
# bench_tap NAME NET: a TAP interface in $nc at NET.1 (the guest: NET.2).
bench_tap() {
	ip netns exec "$nc" ip tuntap add dev "$1" mode tap
	ip netns exec "$nc" ip addr add "$2.1/24" dev "$1"
	ip netns exec "$nc" ip link set "$1" up
}
