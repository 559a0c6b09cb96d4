#!/bin/bash
# sdkapp.sh: applications built from the installed SDK alone, with the
# source tree really out of sight.  make install stages the SDK into a
# prefix outside the tree; every build and run below happens in a mount
# namespace where the source and build trees are hidden under empty
# tmpfs mounts (a path leading back finds nothing).  There:
#  - an application's Makefile builds zlib (Debian's source, fetched by
#    the C environment's tests into $TORO_CACHE/src/zlib and copied out) into a
#    static library for each target with the driver and pkg-config's
#    flags, links it, and the program compresses and decompresses in
#    the simulator and on microvm (through the installed qemu.sh), with
#    its own output and exit status;
#  - Meson builds the application with dependency('toro-sim') and CC
#    from pkg-config's cc, and with dependency('toro-native') and the
#    installed cross file (pkg-config's meson_cross); both run;
#  - gdb with the installed gdb/toro.py lists the program's threads at a
#    breakpoint, in the simulator and through the installed
#    `qemu.sh --gdb` (which must find toro.py where make install put it).
. "$srcdir/tests/tap.sh"
plan 9

need=""
for c in qemu-system-x86_64 pkg-config meson ninja gdb unshare python3; do
	command -v $c >/dev/null || need="$need $c"
done
if [ -n "$need" ]; then
	for _ in $(seq 9); do skip "not installed:$need (./toro deps)"; done
	exit 0
fi
top=$(cd "$srcdir" && pwd)
build=$(pwd)
zsrc=${TORO_CACHE:-out}/src/zlib
if [ ! -f "$zsrc/zlib.h" ]; then
	for _ in $(seq 9); do skip "no zlib source in $zsrc (make check fetches it)"; done
	exit 0
fi
# A mount namespace of our own: as root, or as a user namespace's root.
if unshare -m true 2>/dev/null; then
	ns=(unshare -m)
elif unshare -rm true 2>/dev/null; then
	ns=(unshare -rm)
else
	for _ in $(seq 9); do skip "no mount namespace (unshare -m) here"; done
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unmake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$@"; }
p=$tmp/prefix
case $tmp/ in "$top"/* | "$build"/*)
	echo "# TMPDIR is inside the tree: hiding it would hide the test's files"
	for _ in $(seq 9); do skip "TMPDIR inside the tree"; done
	exit 0
	;;
esac

unmake make -s install DESTDIR="$tmp/stage" prefix="$p" >"$tmp/log" 2>&1 &&
    mv "$tmp/stage$p" "$p" && rm -rf "$tmp/stage" || note <"$tmp/log"

# hidden CMD...: CMD in a mount namespace where the source and build
# trees are empty, read-only folders, with the SDK's pkg-config files.
hidden() {
	PKG_CONFIG_PATH=$p/lib/pkgconfig "${ns[@]}" bash -c '
	    top=$1 build=$2
	    shift 2
	    mount -t tmpfs -o ro,size=4k toro-hidden "$top" &&
		{ [ "$build" = "$top" ] ||
		    mount -t tmpfs -o ro,size=4k toro-hidden "$build"; } &&
		[ ! -e "$top/configure.ac" ] && [ ! -e "$build/Makefile" ] ||
		{ echo "sdkapp.sh: the tree is still visible" >&2; exit 99; }
	    cd / && exec "$@"' hidden "$top" "$build" "$@"
}

# The application: zlib's library sources (nothing else of the package)
# and a program that uses them.
mkdir -p "$tmp/zlib" "$tmp/zapp"
cp "$zsrc"/*.c "$zsrc"/*.h "$tmp/zlib/"
cat >"$tmp/zapp/main.c" <<'C'
/* zapp: zlib on Toro, from the installed SDK. */
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include <toro/toro.h>

static char text[8192];
static unsigned char packed[8192], back[8192];

/* The test's gdb stops here. */
__attribute__((noinline)) void
zapp_checked(size_t n)
{
	__asm__ volatile("" : : "r"(n) : "memory");
}

int
main(int argc, char **argv)
{
	uLongf plen = sizeof(packed), blen = sizeof(back);
	size_t i, n = 0;

	for (i = 0; n + 32 < sizeof(text); i++)
		n += snprintf(text + n, sizeof(text) - n, "line %zu of zapp\n", i);
	if (compress2(packed, &plen, (const Bytef *)text, n, 9) != Z_OK ||
	    uncompress(back, &blen, packed, plen) != Z_OK || blen != n ||
	    memcmp(back, text, n) != 0) {
		printf("zapp: the round trip failed\n");
		return 1;
	}
	zapp_checked(n);
	printf("zapp: zlib %s, %zu bytes to %lu, crc32 %08lx, round trip ok\n",
	    zlibVersion(), n, (unsigned long)plen,
	    crc32(0L, (const Bytef *)text, n));
	return 7;
}
C
cat >"$tmp/zapp/Makefile" <<'MK'
# zapp: zlib built for each target with the SDK's driver and flags.
PKG_CONFIG ?= pkg-config
ZLIB = ../zlib
ZOBJS = adler32 compress crc32 deflate gzclose gzlib gzread gzwrite \
	infback inffast inflate inftrees trees uncompr zutil
ZFLAGS = -O2 -D_LARGEFILE64_SOURCE=1 -DHAVE_HIDDEN
cc = $(shell $(PKG_CONFIG) --variable=cc toro-$(1))
cflags = $(shell $(PKG_CONFIG) --cflags toro-$(1))
libs = $(shell $(PKG_CONFIG) --libs toro-$(1))

all: build/zapp build/zapp.elf

build/%/libz.a:
	@mkdir -p build/$*/z
	for o in $(ZOBJS); do $(call cc,$*) $(call cflags,$*) $(ZFLAGS) \
	    -c -o build/$*/z/$$o.o $(ZLIB)/$$o.c || exit 1; done
	ar rcs $@ $(ZOBJS:%=build/$*/z/%.o)

build/zapp: main.c build/sim/libz.a
	$(call cc,sim) $(call cflags,sim) -I$(ZLIB) -o $@ main.c \
	    -Lbuild/sim -lz $(call libs,sim)

build/zapp.elf: main.c build/native/libz.a
	$(call cc,native) $(call cflags,native) -I$(ZLIB) -o $@ main.c \
	    -Lbuild/native -lz $(call libs,native)
MK

# What the program must print: the text's CRC from the host's zlib.
crc=$(python3 -c '
import zlib
t, i = "", 0
while len(t) + 32 < 8192:
    t += "line %d of zapp\n" % i
    i += 1
print("%08x" % zlib.crc32(t.encode()))')
want="^zapp: zlib 1\.[0-9.]+, [0-9]+ bytes to [0-9]+, crc32 $crc, round trip ok"

hid_ok() { # the namespace hides the tree (and the SDK is there)
	hidden sh -c '[ -x "$0/bin/toro-cc" ] &&
	    [ -f "$0/lib/toro/meson/toro-native.ini" ]' "$p"
}
check "the source and build trees are hidden, the installed SDK is not" hid_ok

# Its failure shows in the runs below, with its log.
hidden make -C "$tmp/zapp" >"$tmp/zmake" 2>&1
ran() { # STATUS WANT OUTPUT PATTERN [LOG]: the run ended with WANT, printed PATTERN
	[ "$1" -eq "$2" ] && file_has "$3" "$4" ||
	    { echo "# status $1, not $2"; note <"$3"; [ -z "${5:-}" ] || note <"$5"; false; }
}
s=0
hidden timeout 60 "$tmp/zapp/build/zapp" --net none >"$tmp/zsim" 2>&1 || s=$?
check "zlib built for Toro, linked from outside the tree: the sim program round-trips" \
    ran $s 7 "$tmp/zsim" "$want" "$tmp/zmake"
s=0
hidden timeout 120 sh "$p/lib/toro/qemu.sh" --net none --cpus 1 --mem 64 \
    "$tmp/zapp/build/zapp.elf" >"$tmp/zmvm" 2>&1 </dev/null || s=$?
tr -d '\r' <"$tmp/zmvm" >"$tmp/zmvm.lf"
check "the same as a native image boots on microvm (installed qemu.sh), status 7" \
    ran $s 7 "$tmp/zmvm.lf" "$want"

# Meson: the application of ./toro new, with pkg-config's dependency.
mkdir -p "$tmp/mapp"
cat >"$tmp/mapp/main.c" <<'C'
#include <stdio.h>

#include <toro/toro.h>

int
main(int argc, char **argv)
{
	printf("Hello from meson on %d CPUs\n", toro_cpu_count());
	return 5;
}
C
cat >"$tmp/mapp/meson.build" <<'M'
project('mapp', 'c')
native = meson.is_cross_build()
executable('mapp', 'main.c',
    dependencies: dependency(native ? 'toro-native' : 'toro-sim'),
    name_suffix: native ? 'elf' : [])
M
s=0
# shellcheck disable=SC2016
hidden sh -c 'cd "$0" && CC=$(pkg-config --variable=cc toro-sim) \
    meson setup bs && ninja -C bs' "$tmp/mapp" >"$tmp/msim.log" 2>&1 || s=$?
hidden timeout 60 "$tmp/mapp/bs/mapp" --net none >"$tmp/msim" 2>&1 || s=$?
check "Meson: dependency('toro-sim'), CC from pkg-config: the program runs" \
    ran $s 5 "$tmp/msim" "^Hello from meson on 1 CPUs$" "$tmp/msim.log"
s=0
# shellcheck disable=SC2016
hidden sh -c 'cd "$0" && meson setup --cross-file \
    "$(pkg-config --variable=meson_cross toro-native)" bn && ninja -C bn' \
    "$tmp/mapp" >"$tmp/mnat.log" 2>&1 || s=$?
hidden timeout 120 sh "$p/lib/toro/qemu.sh" --net none --cpus 2 --mem 64 \
    "$tmp/mapp/bn/mapp.elf" >"$tmp/mnat" 2>&1 </dev/null || s=$?
tr -d '\r' <"$tmp/mnat" >"$tmp/mnat.lf"
check "Meson: the installed cross file and dependency('toro-native'): it boots" \
    ran $s 5 "$tmp/mnat.lf" "^Hello from meson on 2 CPUs$" "$tmp/mnat.log"
check "Meson's native build wrote the PVH twin mapp.pvh.elf" \
    test -s "$tmp/mapp/bn/mapp.pvh.elf"

# gdb with the installed helpers, stopped in the program's function.
threads_ok() { # OUTPUT: main is the running thread of CPU 0
	file_has "$1" "reakpoint 1, (0x[0-9a-f]+ in )?zapp_checked" \
	    "^\* 0 +[0-9]+ +main +RUNNING"
}
hidden timeout 60 gdb -nx -q -batch -x "$p/lib/toro/gdb/toro.py" \
    -ex "break zapp_checked" -ex run -ex "toro threads" -ex kill \
    --args "$tmp/zapp/build/zapp" --net none >"$tmp/gsim" 2>&1
check "gdb with the installed toro.py: toro threads at a breakpoint (sim)" \
    threads_ok "$tmp/gsim"
# Through the installed qemu.sh --gdb: gdb reads its commands from stdin.
printf '%s\n' "hbreak zapp_checked" continue "toro threads" kill quit |
    hidden timeout 120 sh "$p/lib/toro/qemu.sh" --gdb --net none --cpus 1 \
	--mem 64 "$tmp/zapp/build/zapp.elf" >"$tmp/gnat" 2>&1
check "the installed qemu.sh --gdb loads toro.py: toro threads at a breakpoint" \
    threads_ok "$tmp/gnat"

s=0
hidden sh -c 'grep -rlI -e "$0" -e "$1" "$2" || true' "$top" "$build" "$p" \
    >"$tmp/refs" 2>&1 || s=$?
check "no installed text file names the source or build tree" \
    eval '[ $s -eq 0 ] && [ ! -s "$tmp/refs" ] || { note <"$tmp/refs"; false; }'
