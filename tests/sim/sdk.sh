#!/bin/bash
# sdk.sh: the installed SDK builds applications outside the tree.
# make install stages into a DESTDIR, the staged prefix is moved where
# it was meant to be (a copy of the tree's files, nothing pointing back
# to the tree); an application made by ./toro new builds with its
# Makefile through pkg-config (and with CMake's pkg_check_modules) for
# both targets, runs in the simulator and boots under QEMU; the driver
# refuses to run itself as its compiler; make uninstall removes every
# file it installed.
. "$srcdir/tests/tap.sh"
plan 7

for c in qemu-system-x86_64 pkg-config; do
	if ! command -v $c >/dev/null; then
		for i in 1 2 3 4 5 6 7; do skip "no $c (./toro deps)"; done
		exit 0
	fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unmake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$@"; }
p=$tmp/prefix
top=$(cd "$srcdir" && pwd)
build=$(pwd)

unmake make -s install DESTDIR="$tmp/stage" prefix="$p" >"$tmp/log" 2>&1 &&
    mv "$tmp/stage$p" "$p"
# installed: the files, and no text file naming the tree.
installed() {
	local f
	for f in bin/toro-cc bin/toro-sim-cc bin/toro-native-cc \
	    lib/pkgconfig/toro-sim.pc lib/pkgconfig/toro-native.pc \
	    lib/toro/lib/libc.a lib/toro/lib/libtoroc.a \
	    lib/toro/lib/libcore-native.a lib/toro/lib/libhal-native.a \
	    lib/toro/lib/libcore-host.a lib/toro/lib/libhal-sim.a \
	    lib/toro/kernel.ld lib/toro/symtab.sh lib/toro/prelink.sh \
	    lib/toro/gdb/toro.py lib/toro/include/api/toro/toro.h \
	    lib/toro/include/musl/stdio.h; do
		[ -e "$p/$f" ] || { echo "# no $f"; note <"$tmp/log"; return 1; }
	done
	! grep -rlI -e "$top" -e "$build" "$p/bin" "$p/lib/pkgconfig" \
	    "$p/lib/toro"/*.sh "$p/lib/toro/kernel.ld" | note | grep -q .
}
check "make install: the SDK, with nothing pointing back to the tree" installed

export PKG_CONFIG_PATH=$p/lib/pkgconfig
# A folder named from where ./toro runs.
(cd "$tmp" && unmake "$top/toro" new myapp) >"$tmp/log" 2>&1
# In a shell of its own, from the app's folder, with only the SDK.
(cd "$tmp/myapp" && env -u CC -u CFLAGS -u CPPFLAGS -u LDFLAGS \
    make -s >"$tmp/make" 2>&1)
s=0
timeout 60 "$tmp/myapp/build/myapp" --net none >"$tmp/sim" 2>&1 || s=$?
check "toro new + make: the simulator program greets" \
    eval '[ $s -eq 0 ] && file_has "$tmp/sim" "^Hello from myapp on 1 CPUs$" ||
	{ note <"$tmp/make"; false; }'

. "$srcdir/hal/native/qemu.sh"
s=0
toro_qemu_boot "$tmp/mvm" microvm 2 "$tmp/myapp/build/myapp.elf" "" || s=$?
check "toro new + make: the native image boots on microvm (PVH)" \
    eval '[ $s -eq 0 ] && file_has "$tmp/mvm" "^Hello from myapp on 2 CPUs$"'
s=0
toro_qemu_boot "$tmp/pc" pc 1 "$tmp/myapp/build/myapp.elf" "" || s=$?
check "toro new + make: the native image boots on pc (Multiboot)" \
    eval '[ $s -eq 0 ] && file_has "$tmp/pc" "^Hello from myapp on 1 CPUs$"'

if command -v cmake >/dev/null; then
	mkdir -p "$tmp/cm"
	cp "$tmp/myapp/main.c" "$tmp/cm/"
	cat >"$tmp/cm/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.13)
project(cmapp C)
find_package(PkgConfig REQUIRED)
pkg_check_modules(TORO REQUIRED IMPORTED_TARGET toro-sim)
add_executable(cmapp main.c)
target_link_libraries(cmapp PkgConfig::TORO)
CM
	s=0
	(cd "$tmp/cm" && CC=$(pkg-config --variable=cc toro-sim) \
	    timeout 300 cmake -S . -B b >"$tmp/cmake" 2>&1 &&
	    timeout 300 cmake --build b >>"$tmp/cmake" 2>&1) || s=$?
	timeout 60 "$tmp/cm/b/cmapp" --net none >"$tmp/cmsim" 2>&1 || s=$?
	check "CMake: pkg_check_modules(toro-sim) with CC=toro-sim-cc" \
	    eval '[ $s -eq 0 ] && file_has "$tmp/cmsim" "^Hello from myapp" ||
		{ note <"$tmp/cmake"; false; }'
else
	skip "no cmake"
fi

s=0
TORO_CC=$p/bin/toro-sim-cc timeout 10 "$p/bin/toro-sim-cc" -c \
    "$tmp/myapp/main.c" -o "$tmp/x.o" 2>"$tmp/err" || s=$?
check "toro-cc refuses itself as its compiler (TORO_CC)" \
    eval '[ $s -eq 2 ] && file_has "$tmp/err" "TORO_CC is this driver"'

unmake make -s install DESTDIR="$tmp/un" >/dev/null 2>&1 &&
    unmake make -s uninstall DESTDIR="$tmp/un" >"$tmp/log" 2>&1
check "make uninstall removes every file make install wrote" \
    eval '[ -d "$tmp/un" ] && [ -z "$(find "$tmp/un" ! -type d)" ]'
