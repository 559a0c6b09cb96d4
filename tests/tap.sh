# tap.sh: helpers for the integration tests, which speak TAP.
#
# Source it, then call `plan N`, and for every case `ok`, `fail` or
# `skip` with a description.  Output of failed runs goes to the log as
# TAP comments.  Each test script runs from the build directory; $srcdir
# is the source tree.
: "${srcdir:=.}"
tap_n=0

plan() { echo "1..$1"; }
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
fail() { tap_n=$((tap_n + 1)); echo "not ok $tap_n - $*"; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n - # SKIP $*"; }
note() { sed 's/^/# /'; }

# need_tools N COMMAND...: when a command is missing, skip all N cases
# of the plan naming what is, and end the script.
need_tools() {
	local n=$1 c need=""
	shift
	for c in "$@"; do
		command -v "$c" >/dev/null || need="$need $c"
	done
	[ -z "$need" ] && return 0
	for _ in $(seq "$n"); do skip "not installed:$need"; done
	exit 0
}

# wait_for FILE PATTERN [TENTHS]: up to 20 s (or TENTHS/10 s) for
# PATTERN to show up in FILE; when it does not, FILE goes to the log.
wait_for() {
	local i
	for ((i = 0; i < ${3:-200}; i++)); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	note <"$1"
	return 1
}

# check DESCRIPTION COMMAND...: a case that passes when the command does.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else fail "$what"; fi
}

# file_has FILE PATTERN...: every extended regular expression matches in
# FILE; when one does not, FILE goes to the log.
file_has() {
	local f=$1 p
	shift
	for p in "$@"; do
		grep -Eq -- "$p" "$f" || { note <"$f"; return 1; }
	done
}

# boot_phases_ok FILE PHASE...: FILE holds loglevel=debug's boot phases
# ("toro: boot 1.234 ms NAME (+0.123)"), each PHASE among them, their
# times never going back, and main after the first instruction.
boot_phases_ok() {
	local f=$1 p
	shift
	for p in "$@"; do
		grep -Eq "^toro: boot +[0-9]+\.[0-9]{3} ms $p \(\+" "$f" ||
		    { echo "# no boot phase '$p'"; note <"$f"; return 1; }
	done
	awk '$1 == "toro:" && $2 == "boot" && $4 == "ms" {
		if (n++ && $3 + 0 < last) bad = 1
		if (n == 1) first = $3
		last = $3 + 0
	    } END { exit bad || n < 2 || last <= first }' "$f" ||
	    { echo "# boot phases out of order"; note <"$f"; return 1; }
}
