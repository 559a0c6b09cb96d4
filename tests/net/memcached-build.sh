#!/bin/sh
# memcached-build.sh: memcached and libevent from Debian's sources,
# built unchanged for Toro by their own build systems.
#
# usage: tests/net/memcached-build.sh SRCDIR CACHE OUT
#
# SRCDIR is Toro's source tree, CACHE the fetch cache ($(TORO_CACHE):
# sources go to CACHE/src/{libevent,memcached}), OUT the build folder,
# which must hold the SDK staged by make (OUT/sdk: toro-sim-cc...).  It
# writes OUT/memcached (the sim) and OUT/memcached.elf (native, with
# its PVH twin).  libevent is a static library with Toro's C
# environment (no OpenSSL, no samples, no tests), installed under
# OUT/libevent; memcached is linked with it: its -d (daemonize) reaches
# fork, which fails with ENOSYS (libc/process.c).
#
# Rules: neither package is patched; a source that cannot be fetched is
# no error (OUT/nosource says why, and tests/net/memcached.sh skips);
# any other failure is, with the log's end on stderr.  configure runs
# once (OUT/*/.configured); the program is linked again every time, as
# Toro's libraries may have changed.  Both packages are cross-compiled
# (--host): configure must not run what it builds, a Toro program.
set -eu

if [ $# -ne 3 ]; then
	echo "usage: $0 SRCDIR CACHE OUT" >&2
	exit 2
fi
top=$(cd "$1" && pwd)
cache=$(mkdir -p "$2" && cd "$2" && pwd)
out=$(mkdir -p "$3" && cd "$3" && pwd)
sdk=$out/sdk
cc=$sdk/bin/toro-sim-cc
# Their own make, serial, not told the caller's options or variables.
make="env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make"
# The packages' Makefiles would run automake again: Debian's patches
# touch libevent's Makefile.am (shared libraries only).  What configure
# made is used as it is.
nore="ACLOCAL=true AUTOMAKE=true AUTOCONF=true AUTOHEADER=true"
log=$out/build.log
: >"$log"

fail() {
	echo "memcached-build.sh: $*; the end of $log:" >&2
	tail -n 30 "$log" >&2
	exit 1
}

rm -f "$out/nosource"
for p in libevent memcached; do
	DEBSRC_APT=$cache/apt sh "$top/tools/debsrc.sh" "$p" \
	    "$cache/src/$p" >>"$log" 2>&1 || {
		echo "Debian's $p source could not be fetched" >"$out/nosource"
		exit 0
	}
done

le=$out/libevent
if [ ! -f "$le/.configured" ]; then
	rm -rf "$le" && mkdir -p "$le/build"
	(cd "$le/build" && "$cache/src/libevent/configure" CC="$cc" \
	    --host=x86_64-pc-linux-gnu --prefix="$le" --disable-shared \
	    --enable-static --disable-openssl --disable-samples \
	    --disable-libevent-regress --disable-debug-mode \
	    --disable-dependency-tracking) >>"$log" 2>&1 ||
	    fail "libevent's configure failed"
	# The generated header first: its rule is not a prerequisite of
	# every object, so a parallel make could miss it.
	# shellcheck disable=SC2086
	(cd "$le/build" && $make $nore include/event2/event-config.h &&
	    $make $nore install) >>"$log" 2>&1 || fail "libevent's build failed"
	: >"$le/.configured"
fi

mc=$out/mc
if [ ! -f "$mc/.configured" ]; then
	rm -rf "$mc" && mkdir -p "$mc"
	(cd "$mc" && "$cache/src/memcached/configure" CC="$cc" \
	    --host=x86_64-pc-linux-gnu --with-libevent="$le" \
	    --disable-coverage --disable-docs --disable-dependency-tracking) \
	    >>"$log" 2>&1 ||
	    fail "memcached's configure failed"
	: >"$mc/.configured"
fi
rm -f "$mc/memcached"
# shellcheck disable=SC2086
(cd "$mc" && $make $nore memcached) >>"$log" 2>&1 ||
    fail "memcached's build failed"
cp "$mc/memcached" "$out/memcached.tmp" && mv "$out/memcached.tmp" \
    "$out/memcached"
# The same objects for the native image.
"$sdk/bin/toro-native-cc" -o "$out/memcached.elf" "$mc"/memcached-*.o \
    -L"$le/lib" -levent >>"$log" 2>&1 ||
    fail "memcached's native link failed"
