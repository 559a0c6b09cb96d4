#!/bin/bash
# run.sh: the fuzzers in the suite (mk/fuzz.mk builds them, tests/fuzz/
# NAME/fuzz.c says what each feeds).  For every harness: a short run
# (FUZZ_SECONDS, default 5) from its seed corpus, new inputs and any
# crash going under out/fuzz/test/NAME/, never into the tree; then a
# replay of every input of tests/fuzz/NAME/crashes/, the crashes found
# before, each its own case named after its file.  Without a clang
# that links libFuzzer (configure's FUZZ_CC) every case skips, saying
# which packages bring it.
. "$srcdir/tests/tap.sh"

seconds=${FUZZ_SECONDS:-5}
names=()
for f in "$srcdir"/tests/fuzz/*/fuzz.c; do
	names+=("$(basename "$(dirname "$f")")")
done
crashes=()
for n in "${names[@]}"; do
	for c in "$srcdir/tests/fuzz/$n/crashes"/*; do
		[ -f "$c" ] && crashes+=("$n:$c")
	done
done
plan $((${#names[@]} + ${#crashes[@]}))

if [ -z "${FUZZ_CC:-}" ]; then
	for ((i = 0; i < ${#names[@]} + ${#crashes[@]}; i++)); do
		skip "no clang with libFuzzer (packages clang, libclang-rt-dev)"
	done
	exit 0
fi

# The options every run takes: no input may take 25 s, nor 2 GiB.
opts=(-timeout=25 -rss_limit_mb=2048)

for n in "${names[@]}"; do
	w=out/fuzz/test/$n
	rm -rf "$w"
	mkdir -p "$w/corpus"
	dict=()
	[ -f "$srcdir/tests/fuzz/$n/dict" ] &&
	    dict=(-dict="$srcdir/tests/fuzz/$n/dict")
	if out/fuzz/"$n" "${opts[@]}" "${dict[@]}" -max_total_time="$seconds" \
	    -print_final_stats=1 -artifact_prefix="$w/" "$w/corpus" \
	    "$srcdir/tests/fuzz/$n/corpus" >"$w/log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$w/log")
		ok "fuzz $n: ${runs:-?} inputs in ${seconds} s, no crash"
	else
		tail -n 60 "$w/log" | note
		ls "$w" | grep -E '^(crash|leak|timeout|oom)-' | sed \
		    "s|^|# keep it: cp $w/|; s|\$| $srcdir/tests/fuzz/$n/crashes/|"
		fail "fuzz $n: a crash (its input is under $w/)"
	fi
done

for c in "${crashes[@]}"; do
	n=${c%%:*}
	f=${c#*:}
	if out/fuzz/"$n" "${opts[@]}" "$f" >"out/fuzz/test/$n/replay.log" \
	    2>&1; then
		ok "fuzz $n: crash $(basename "$f") replays clean"
	else
		tail -n 60 "out/fuzz/test/$n/replay.log" | note
		fail "fuzz $n: crash $(basename "$f") crashes again"
	fi
done
