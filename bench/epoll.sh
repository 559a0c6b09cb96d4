# epoll.sh: epoll_wait with many idle descriptors, Toro (sim, 1 CPU)
# against Linux (the same program with glibc), in the same run.
#
# bench/epoll/main.c holds N idle event counters and one busy socket
# pair in an epoll set and times M round trips on the pair (write,
# epoll_wait, read, write back, read).  For N = 10 and N = 10,000 it
# prints the medians of RUNS alternating runs, the ratio toro/linux of
# the time per round trip, and how each grows from 10 to 10,000 idle
# (flat: about 1).
. bench/common.sh
M=${M:-20000}
# TORO_EPOLL: another build of the Toro program (say, an older one).
bin=${TORO_EPOLL:-out/bench/sim/epoll}
declare -A med
for n in 10 10000; do
	t=$(mktemp) l=$(mktemp)
	for i in $(seq "$RUNS"); do
		"$bin" --cpus 1 -- "$n" "$M" | grep 'ns per' |
		    awk '{ print $3 }' >>"$t"
		out/bench/peers/epoll-glibc "$n" "$M" | grep 'ns per' |
		    awk '{ print $3 }' >>"$l"
	done
	toro=$(median <"$t") linux=$(median <"$l")
	rm -f "$t" "$l"
	[ -n "$toro" ] && [ -n "$linux" ] && [ "$toro" != nan ] &&
	    [ "$linux" != nan ] || { echo "epoll: a run failed"; exit 1; }
	med[toro$n]=$toro med[linux$n]=$linux
	echo "$n idle (median of $RUNS, ns per round trip): toro $toro, linux $linux, ratio toro/linux $(ratio "$toro" "$linux")"
done
echo "growth from 10 to 10000 idle: toro $(ratio "${med[toro10000]}" "${med[toro10]}"), linux $(ratio "${med[linux10000]}" "${med[linux10]}")"
