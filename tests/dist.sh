#!/bin/bash
# dist.sh: make dist and make distcheck.  The distributed files are
# written outside the tree (make distdir) and must be the files git
# tracks (an EXTRA_DIST that misses one fails here), but .gitignore and
# .ci/ (a git checkout's), plus what autoreconf generates, and nothing
# else (what a build leaves in the tree must not be shipped).  There,
# configure and make distcheck: automake's own check builds the
# tarball's files in a read-only copy from a build folder of its own,
# runs tests there (DIST_TESTS: the layers, the examples, the SDK and a
# unit test; the whole suite is this one), installs and uninstalls (no
# file may be left), makes the tarball again from that build and checks
# that distclean leaves the build folder empty.  It shares this tree's
# cache (TORO_CACHE: Debian's sources and musl's build), so it fetches
# and builds none of them again.
. "$srcdir/tests/tap.sh"
plan 3

DIST_TESTS="tests/layers.sh tests/sim/examples.sh tests/sim/sdk.sh
    out/tests/unit/lib.t"
tmp=$(mktemp -d)
# distcheck makes its copy read-only.
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
unmake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$@"; }
cache=$(cd "${TORO_CACHE:-out}" && pwd)
version=$(sed -n 's/^PACKAGE_VERSION = //p' Makefile)
d=$tmp/toro-$version

unmake make -s distdir distdir="$d" >"$tmp/log" 2>&1 || note <"$tmp/log"
every_file() {
	[ -f "$d/configure" ] && [ -f "$d/Makefile.in" ] || return 1
	git -C "$srcdir" ls-files | grep -Ev '^(\.gitignore|\.ci/.*)$' |
	    sort >"$tmp/git"
	(cd "$d" && find . -type f | sed 's|^\./||' | sort) >"$tmp/dist"
	comm -23 "$tmp/git" "$tmp/dist" >"$tmp/missing"
	comm -13 "$tmp/git" "$tmp/dist" |
	    grep -Ev '^(Makefile\.in|aclocal\.m4|configure|build-aux/.*)$' \
	    >"$tmp/extra"
	[ ! -s "$tmp/missing" ] ||
	    { echo "# not distributed (EXTRA_DIST):"; note <"$tmp/missing"; }
	[ ! -s "$tmp/extra" ] ||
	    { echo "# distributed, not in git:"; note <"$tmp/extra"; }
	[ ! -s "$tmp/missing" ] && [ ! -s "$tmp/extra" ]
}
if git -C "$srcdir" rev-parse --git-dir >/dev/null 2>&1; then
	check "make distdir: the files git tracks, all of them and only them" \
	    every_file
else
	skip "not a git checkout: no list of the tree's files"
fi

s=0
(cd "$d" && ./configure -q TORO_CACHE="$cache" &&
    unmake make -s -j"$(nproc)" distcheck TESTS="$DIST_TESTS" check_DATA=) \
    >"$tmp/dc" 2>&1 || s=$?
# The inner suite's counts, for the log.
grep -E '^# (TOTAL|PASS|FAIL|SKIP|ERROR): ' "$tmp/dc" | note
distchecked() {
	[ $s -eq 0 ] &&
	    grep -q "toro-$version archives ready for distribution" "$tmp/dc" ||
	    { echo "# status $s"; tail -n 60 "$tmp/dc" | note; false; }
}
check "make distcheck: build, tests (DIST_TESTS), install, uninstall, distclean" \
    distchecked
check "make distcheck fetched nothing (the cache was shared)" \
    eval '! grep -Eq "dpkg-source: info: unpacking|musl.sh: musl .* built" \
	"$tmp/dc" || { grep -E "unpacking|built" "$tmp/dc" | note; false; }'
