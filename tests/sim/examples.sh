#!/bin/bash
# examples.sh: the examples in the simulator on 1, 2 and 4 CPUs: output
# and exit status, command-line handling, bad options, Ctrl-C.
. "$srcdir/tests/tap.sh"
plan 31

out=$(mktemp)
trap 'rm -f "$out"' EXIT

# run CPUS EXAMPLE [ARGS...]: run with a time limit, output in $out.
run() {
	local cpus=$1 ex=$2
	shift 2
	timeout 60 "out/sim/$ex" --cpus "$cpus" -- "$@" >"$out" 2>&1
}

hello_ok() {
	local n=$1 i
	run "$n" hello || { note <"$out"; return 1; }
	[ "$(wc -l <"$out")" -eq "$n" ] || { note <"$out"; return 1; }
	for ((i = 0; i < n; i++)); do
		grep -qx "Hello from CPU $i of $n" "$out" ||
		    { note <"$out"; return 1; }
	done
}

threads_ok() {
	run "$1" threads 2000 || { note <"$out"; return 1; }
	grep -qx "2000 round trips between CPU 0 and CPU $(($1 - 1))" "$out" &&
	    grep -Eqx "[0-9]+ ns per round trip" "$out" ||
	    { note <"$out"; return 1; }
}

ticker_ok() {
	local start end
	start=$(date +%s%N)
	run "$1" ticker 2 || { note <"$out"; return 1; }
	end=$(date +%s%N)
	[ "$(cat "$out")" = "$(printf 'tick 1\ntick 2')" ] ||
	    { note <"$out"; return 1; }
	# Two seconds of ticks cannot end sooner than two seconds.
	[ $(((end - start) / 1000000)) -ge 2000 ]
}

for n in 1 2 4; do
	check "hello on $n CPUs" hello_ok $n
	check "threads on $n CPUs" threads_ok $n
	check "ticker 2 on $n CPUs" ticker_ok $n
done

# The exit status is main's: threads rejects a bad round count with 2.
run 2 threads nonsense
check "main's return value is the exit status" test $? -eq 2
check "bad argument reported" grep -q "bad round count 'nonsense'" "$out"

# Kernel options are taken out of argv; other words stay.
run 1 threads stack=32 loglevel=debug 500
check "kernel options are not passed to main" test $? -eq 0
check "loglevel=debug prints the boot line" grep -q "^toro: 1 CPUs" "$out"
check "loglevel=debug prints the boot phases in order" boot_phases_ok \
    "$out" "first instruction" "memory map" devices kernel "CPUs up" main
check "the remaining word reaches main" grep -qx "500 round trips between CPU 0 and CPU 0" "$out"
run 1 hello stack=4
check "a bad kernel option stops the boot" test $? -eq 125
check "the bad option is named" grep -q "stack=4" "$out"

# Idle policies: cross-CPU round trips still arrive when the CPUs spin
# first; mwait is native only, so the sim warns and halts.
run 2 threads idle=poll:500 2000
check "idle=poll:500 on 2 CPUs" grep -qx "2000 round trips between CPU 0 and CPU 1" "$out"
run 2 threads idle=mwait 200
check "idle=mwait in the sim still runs" test $? -eq 0
check "idle=mwait in the sim says it halts instead" grep -q "idle=mwait: .*halting instead" "$out"
run 1 hello idle=poll:0
check "idle=poll:0 stops the boot" test $? -eq 125
check "the bad idle policy is named" grep -q "idle=poll:0: want" "$out"

# The simulator's own options.
timeout 10 out/sim/hello --cpus 0 >"$out" 2>&1
check "--cpus 0 is refused with status 2" test $? -eq 2
timeout 10 out/sim/hello --cpus 65 >"$out" 2>&1
check "--cpus 65 is refused with status 2" test $? -eq 2
timeout 10 out/sim/hello --mem lots >"$out" 2>&1
check "--mem lots is refused with status 2" test $? -eq 2
timeout 10 out/sim/hello --frobnicate >"$out" 2>&1
check "an unknown option is refused with status 2" test $? -eq 2
timeout 10 out/sim/hello --help >"$out" 2>&1
check "--help succeeds" test $? -eq 0
check "--help shows the usage" grep -qi "usage" "$out"

# Ctrl-C: the first SIGINT stops the machine cleanly with status 130.
timeout 30 out/sim/ticker --cpus 2 -- 20 >"$out" 2>&1 &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid
check "SIGINT stops the machine with status 130" test $? -eq 130
check "the stop is reported" grep -q "stopped by the host" "$out"

# A large --mem is reserved, not committed: it starts at once.
run 1 hello
timeout 20 out/sim/hello --cpus 1 --mem 16384 >"$out" 2>&1
check "--mem 16384 boots" test $? -eq 0
