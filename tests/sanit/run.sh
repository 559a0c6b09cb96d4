#!/bin/bash
# run.sh: the sanitizer builds, as one TAP test each.
#
# usage: tests/sanit/run.sh asan|ubsan|tsan [TEST...]
#
#   asan   AddressSanitizer: the unit tests, tests/sim/*.sh and
#          tests/net/*.sh
#   ubsan  UndefinedBehaviorSanitizer: the same tests
#   tsan   ThreadSanitizer: tests/sanit/xcpu.sh (the scheduler,
#          mailboxes, remote frees and socket calls across CPUs)
# ASan and UBSan are two builds, not one: GCC 12's combined runtime
# writes UBSan's reports to stderr whatever log_path says, where a
# test's own redirections would hide them.
# With TESTs, only those (paths as in TESTS, e.g. tests/sim/disk.sh or
# out/tests/unit/sched.t).
#
# The build is out of tree, beside the normal one: the sources (what git
# tracks plus untracked files it does not ignore) and the generated
# autotools files are copied to out/sanit/MODE/, configured there with
# SANITIZE (host objects only; the native images stay as they are) and
# built there, and the tests run there.  Run it from a configured,
# built tree (./toro build).  Every sanitizer writes its reports to
# out/sanit/MODE/reports/, never to the terminal: a test passes when it
# passes in the copy and left no report there.  A failure shows the
# test's failed lines and the reports in the log.
#
# C environment programs (libc/) are not built here: their simulator
# half is pre-linked with musl (libc/prelink.sh), whose malloc and
# memcpy the sanitizers' runtimes would not see anyway.
set -u
: "${srcdir:=.}"
. "$srcdir/tests/tap.sh"

mode=${1:-}
shift || true
case "$mode" in
asan)
	flags="-fsanitize=address"
	tests=() ;;
ubsan)
	flags="-fsanitize=undefined"
	tests=() ;;
tsan)
	flags="-fsanitize=thread"
	tests=(tests/sanit/xcpu.sh) ;;
*)
	echo "usage: $0 asan|ubsan|tsan [TEST...]" >&2
	exit 2 ;;
esac
top=$(cd "$srcdir" && pwd)
copy=$top/out/sanit/$mode
reports=$copy/reports

if [ $# -gt 0 ]; then
	tests=("$@")
elif [ "$mode" != tsan ]; then
	# checkers.sh is Valgrind's, which cannot run a sanitized program;
	# sdk.sh and sdkapp.sh install the libraries and link programs with
	# the plain toro-cc, which a sanitized library cannot serve (nor
	# should: they test the packaging, not the kernel); redis.sh and
	# memcached.sh run C environment programs, which this build does
	# not make (below), and memcached-build.sh, their build, is no test.
	for t in "$top"/tests/unit/test_*.c; do
		t=${t##*/test_}
		tests+=("out/tests/unit/${t%.c}.t")
	done
	for t in "$top"/tests/sim/*.sh "$top"/tests/net/*.sh; do
		case $t in
		*/checkers.sh|*/netns.sh|*/sdk.sh|*/sdkapp.sh|*/redis.sh) ;;
		*/tests/net/memcached.sh|*/tests/net/memcached-build.sh) ;;
		*) tests+=("${t#"$top"/}") ;;
		esac
	done
fi
plan $((${#tests[@]} + 1))

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# The copy is what git tracks: a tree that git does not know (a release
# tarball) has no sanitizer builds.
if ! command -v git >/dev/null ||
    ! git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	skip "$mode: not a git checkout: the copy is what git tracks"
	for t in "${tests[@]}"; do skip "$mode: $t (not a git checkout)"; done
	exit 0
fi

# sync: the copy gets every source file that changed since it was made.
sync() {
	local gen=(configure Makefile.in aclocal.m4 build-aux m4)
	local g
	for g in "${gen[@]}"; do
		[ -e "$top/$g" ] || {
			echo "$top/$g is missing: run ./toro build first"
			return 1
		}
	done
	mkdir -p "$copy" &&
	    (cd "$top" && git ls-files -z -c -o --exclude-standard &&
	    find "${gen[@]}" -type f -print0) | sort -zu |
	    (cd "$top" && while IFS= read -r -d '' f; do
		[ -f "$f" ] && printf '%s\0' "$f"
	    done) |
	    (cd "$top" && xargs -0 -r cp --parents -p -u -t "$copy")
}

# build: configure the copy with the sanitizer's flags (again when they
# change) and build what the tests need.
build() {
	local stamp=$copy/.sanitize
	# Objects built with other flags would stay: start afresh.
	if [ "$(cat "$stamp" 2>/dev/null)" != "$flags" ]; then
		rm -rf "$copy"
	fi
	sync || return 1
	cd "$copy" || return 1
	if [ ! -f config.status ] || [ configure -nt config.status ] ||
	    [ ! -f "$stamp" ]; then
		./configure -q SANITIZE="$flags" || return 1
		echo "$flags" >"$stamp"
	fi
	env -u MAKEFLAGS -u MFLAGS make -s -j2 sanit-targets
}

if build >"$log" 2>&1; then
	ok "$mode: build in out/sanit/$mode"
else
	note <"$log"
	fail "$mode: build in out/sanit/$mode"
	for t in "${tests[@]}"; do fail "$mode: $t (not built)"; done
	exit 0
fi

# Reports go to files named after the sanitizer and the process.
rm -rf "$reports"
mkdir -p "$reports"
export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1"
export TSAN_OPTIONS="log_path=$reports/tsan"
export srcdir=.
# Valgrind cannot run what ASan or TSan instrumented (UBSan's it can).
[ "$mode" = ubsan ] ||
    export TORO_NO_VALGRIND="Valgrind cannot run a $mode build"

# run TEST: the test passes in the copy and leaves no report.
run() {
	local t=$1 s=0 r
	if [ ! -e "$t" ]; then
		echo "# $t does not exist"
		return 1
	fi
	case $t in
	*.t) timeout 900 "./$t" >"$log" 2>&1 || s=$? ;;
	*) timeout 900 bash "$t" >"$log" 2>&1 || s=$? ;;
	esac
	r=$(find "$reports" -type f | sort)
	if [ $s -eq 0 ] && [ -z "$r" ] && grep -q '^1\.\.' "$log" &&
	    ! grep -Eq '^(not ok|Bail out!)' "$log"; then
		return 0
	fi
	echo "$t: exit status $s" | note
	grep -E '^(not ok|Bail out!|#)|runtime error|Sanitizer' "$log" | note
	for f in $r; do
		echo "report $f:" | note
		note <"$f"
		rm -f "$f"
	done
	return 1
}

# what: the test's counts and time, for its line.
what() {
	local pass skip
	pass=$(grep -c '^ok ' "$log")
	skip=$(grep -Eic '^ok .*# SKIP' "$log")
	echo "$mode: $t ($((pass - skip)) passed, $skip skipped," \
	    "$(($(date +%s) - start)) s)"
}

for t in "${tests[@]}"; do
	start=$(date +%s)
	if run "$t"; then
		ok "$(what)"
	else
		fail "$(what)"
	fi
done
exit 0
