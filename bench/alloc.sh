# alloc.sh: small-block allocator throughput on 1 and 2 CPUs, sim vs
# glibc malloc and jemalloc running the same workload in pthreads.
. bench/common.sh
STEPS=${STEPS:-10000000}
for n in 1 2; do
	t=$(mktemp) g=$(mktemp) j=$(mktemp)
	for i in $(seq "$RUNS"); do
		out/bench/sim/alloc --cpus "$n" --mem 512 -- "$STEPS" | number >>"$t"
		out/bench/peers/alloc-glibc "$n" "$STEPS" | number >>"$g"
		out/bench/peers/alloc-jemalloc "$n" "$STEPS" | number >>"$j"
	done
	toro=$(median <"$t") glibc=$(median <"$g") jem=$(median <"$j")
	echo "allocator, $n CPU(s) (median of $RUNS, Mops/s): toro $toro, glibc $glibc, jemalloc $jem"
	r=$(ratio "$toro" "$glibc")
	line="ratio: toro/glibc $r, toro/jemalloc $(ratio "$toro" "$jem")"
	[ "$n" -eq 2 ] && line="$line (target toro/glibc >= 1 on 2 CPUs: $(verdict "$r" ">=" 1))"
	echo "$line"
	rm -f "$t" "$g" "$j"
done
