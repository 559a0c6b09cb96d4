# netns.sh: what the network tests share (sourced after tests/tap.sh).
#
# Set $ns (the namespace's name) before sourcing.  It makes $tmp, a
# scratch folder, and a trap that ends the background commands, deletes
# the namespace and removes $tmp.  BG_TIMEOUT (default 120 s) limits
# each background command.
tmp=$(mktemp -d)
pids=()
cleanup() {
	local p f
	# The commands themselves (bg_ns's pid files), then their wrappers:
	# killing only `ip netns exec` could leave a command to its timeout.
	for f in "$tmp"/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

have() { command -v "$1" >/dev/null 2>&1; }
# quiet COMMAND...: its output goes to the log only if it fails.
quiet() {
	"$@" >"$tmp/quiet.out" 2>&1 && return 0
	note <"$tmp/quiet.out"
	return 1
}
# skip_n N REASON: N skipped cases (a tool or a right is missing).
skip_n() {
	local n=$1 i
	shift
	for ((i = 0; i < n; i++)); do skip "$*"; done
}
# fail_n N REASON: N failed cases (what they need could not be set up
# although every tool is there: a failure, never a skip).
fail_n() {
	local n=$1 i
	shift
	for ((i = 0; i < n; i++)); do fail "$*"; done
}
in_ns() { ip netns exec "$ns" "$@"; }
# bg_ns NAME OUT COMMAND...: run COMMAND in the namespace, in the
# background, with output in OUT; stop NAME ends it and waits.  (ip
# netns exec may fork, so its own pid is not the command's.)
bg_ns() {
	local name=$1 out=$2
	shift 2
	in_ns bash -c 'echo $$ >"$0"; exec timeout "$1" "${@:2}"' \
	    "$tmp/$name.pid" "${BG_TIMEOUT:-120}" "$@" >"$out" 2>&1 &
	pids+=($!)
}
stop() {
	local pid i
	pid=$(cat "$tmp/$1.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
}
# web_needs N: the sim webserver is built and the host can make a
# namespace with a TAP (root, ip, python3, /dev/net/tun); else the N
# cases of the plan fail (not built) or are skipped, and the script ends.
web_needs() {
	if [ ! -x out/sim/webserver ]; then
		fail_n "$1" "the webserver example is not built"
		exit 0
	fi
	if [ "$(id -u)" -ne 0 ] || ! have ip || [ ! -c /dev/net/tun ] ||
	    ! have python3; then
		skip_n "$1" "needs root, ip, python3 and /dev/net/tun"
		exit 0
	fi
}

# tap_up N NET: the namespace with tap0 up at NET.1/24 (the guest takes
# NET.2); else the N cases fail and the script ends.
tap_up() {
	if ! ip netns add "$ns" || ! in_ns ip tuntap add dev tap0 mode tap; then
		fail_n "$1" "TAP setup failed"
		exit 0
	fi
	in_ns ip link set lo up
	in_ns ip addr add "$2.1/24" dev tap0
	in_ns ip link set tap0 up
}
