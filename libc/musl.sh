#!/bin/sh
# musl.sh: build Debian's musl for Toro, once, under out/musl.
#
# usage: libc/musl.sh TOP-SRCDIR OUT-DIR
#
# Fetches the source with tools/debsrc.sh, builds it out of tree with
# our syscall_arch.h and pthread_arch.h first on the include path
# (libc/musl/: system calls become calls of libc_syscall(), the thread
# pointer comes from libc_tp()), position-independent so that one
# library serves the simulator (a PIE) and the native image, and
# installs headers and libc.a into OUT-DIR.  Then it takes out of
# libc.a what Toro replaces (libc/musl-drop.txt lists them, with the
# reason) and checks that no member left runs the syscall instruction
# or reads %fs.  OUT-DIR/.done marks a finished build.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 TOP-SRCDIR OUT-DIR" >&2
	exit 2
fi
top=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
[ -f "$out/.done" ] && [ "$out/.done" -nt "$top/libc/musl-drop.txt" ] &&
    [ "$out/.done" -nt "$top/libc/musl/syscall_arch.h" ] &&
    [ "$out/.done" -nt "$top/libc/musl/pthread_arch.h" ] &&
    [ "$out/.done" -nt "$top/libc/musl.sh" ] && { touch "$out/.done"; exit 0; }

# The source and the private apt state sit beside OUT-DIR (out/src/musl).
base=$(dirname "$out")
src=$(DEBSRC_APT="$base/apt" "$top/tools/debsrc.sh" musl "$base/src/musl")
rm -rf "$out/build" "$out/lib" "$out/include" "$out/.done"
mkdir -p "$out/build"
start=$(date +%s)
cd "$out/build"
# -fno-stack-protector: musl's own start-up sets the canary up, and it
# is not ours; the kernels keep %fs:0x28 readable for code that checks.
"$src/configure" --prefix="$out" --disable-shared \
    CC="${CC:-cc}" \
    CFLAGS="-fPIC -fno-stack-protector -iquote $top/libc/musl" \
    >configure.log 2>&1 || {
	tail -n 20 configure.log >&2
	echo "musl.sh: configure failed ($out/build/configure.log)" >&2
	exit 1
}
make -s -j"$(nproc)" install >make.log 2>&1 || {
	tail -n 20 make.log >&2
	echo "musl.sh: make failed ($out/build/make.log)" >&2
	exit 1
}

# Take out what Toro replaces: each line is a member name, '#' comments.
lib=$out/lib/libc.a
drop=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$top/libc/musl-drop.txt")
# shellcheck disable=SC2086
ar d "$lib" $drop

# Nothing left may enter a kernel or touch %fs by itself.
bad=$(objdump -d "$lib" | awk '
	/^[0-9a-zA-Z_.]+\.o:/ || /^In archive/ { next }
	/file format/ { m = $1; sub(/:$/, "", m) }
	/\tsyscall/ || /%fs:/ { print m }' | sort -u)
if [ -n "$bad" ]; then
	echo "musl.sh: these members of libc.a still enter a kernel or" \
	    "read %fs; list them in libc/musl-drop.txt:" $bad >&2
	exit 1
fi
rm -f "$out"/lib/*.o
echo "musl.sh: musl $(cat "$src/VERSION") built in" \
    "$(($(date +%s) - start)) s" >&2
: >"$out/.done"
