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
