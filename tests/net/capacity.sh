#!/bin/bash
# capacity.sh: the sim webserver (2 CPUs, the default 128 MiB) holds
# 10,000 idle connections over TAP in a network namespace of its own,
# and still answers a new client; past its limit (here 10,050) new
# connections are ended at once or never answered, nothing crashes, and
# once some idle ones close a new request is answered again.  The
# client is tests/net/manyconn.py; /stats gives the connection and heap
# figures, noted in the log (heap bytes per idle connection).  Not
# timed: the cases judge what happens, not how fast.
# Cases skip, saying why, when root or a tool is missing; they fail when
# the program is not built or the namespace cannot be set up.
. "$srcdir/tests/tap.sh"
plan 9

ns=toro-cap-$$
BG_TIMEOUT=300
. "$srcdir/tests/net/netns.sh"

IDLE=10000
EXTRA=100
LIMIT=$((IDLE + EXTRA / 2))

web_needs 9
ip=192.168.81.2
tap_up 9 192.168.81
out=$tmp/web.out
bg_ns web "$out" out/sim/webserver --cpus 2 --net tap:tap0 \
    -- ip=$ip/24 gw=192.168.81.1 80 $LIMIT
if ! wait_for "$out" "serving http://$ip:80/ (at most $LIMIT"; then
	fail "webserver up on TAP, limit $LIMIT"
	fail_n 8 "the webserver did not start"
	exit 0
fi
ok "webserver up on TAP, limit $LIMIT"
in_ns timeout 200 python3 "$srcdir/tests/net/manyconn.py" $ip 80 \
    $IDLE $EXTRA 500 >"$tmp/client.out" 2>&1
note <"$tmp/client.out"
# res NAME DESCRIPTION: the client's result NAME as a case.
res() {
	if grep -q "^result $1 1" "$tmp/client.out"; then
		ok "$2"
	else
		fail "$2"
	fi
}
res stats_before "/stats answers before"
res idle_open "$IDLE idle connections opened"
res stats_with_idle "/stats counts them (conns_open)"
res new_request_answered "a new request answered with $IDLE idle open"
res idle_still_open "the idle connections are still open"
res past_limit_refused "past the limit: ended at once or not answered"
res service_back "service back after 500 idle ones close"
if pid=$(cat "$tmp/web.pid" 2>/dev/null) && kill -0 "$pid" 2>/dev/null
then
	ok "the webserver is still running"
else
	note <"$out"
	fail "the webserver is still running"
fi
