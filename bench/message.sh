# message.sh: cross-CPU message round trip in the sim (the threads
# example, CPU 0 <-> CPU 1) vs two pthreads with a mutex and condvars.
. bench/common.sh
N=20000
t=$(mktemp) p=$(mktemp)
for i in $(seq "$RUNS"); do
	out/sim/threads --cpus 2 -- "$N" | grep "per round trip" | number >>"$t"
	out/bench/peers/pingpong "$N" | number >>"$p"
done
toro=$(median <"$t")
peer=$(median <"$p")
echo "cross-CPU round trip (median of $RUNS): toro ${toro} ns, pthread condvar ${peer} ns"
echo "ratio: pthread time / toro time = $(ratio "$peer" "$toro")"
rm -f "$t" "$p"
