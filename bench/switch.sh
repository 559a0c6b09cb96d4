# switch.sh: thread switch time on one CPU, sim vs glibc swapcontext.
. bench/common.sh
N=10000000
t=$(mktemp) p=$(mktemp)
for i in $(seq "$RUNS"); do
	out/bench/sim/switch --cpus 1 -- "$N" | number >>"$t"
	out/bench/peers/swapcontext "$N" | number >>"$p"
done
toro=$(median <"$t")
peer=$(median <"$p")
r=$(ratio "$peer" "$toro" 1)
echo "thread switch (median of $RUNS): toro ${toro} ns, swapcontext ${peer} ns"
echo "ratio: toro is ${r}x faster than swapcontext (target >= 5: $(verdict "$r" ">=" 5))"
rm -f "$t" "$p"
