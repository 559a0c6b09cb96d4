#!/bin/bash
# program.sh: a program is a folder (mk/program.mk).  A folder of C files
# made here, outside the tree (two .c files and an include/ folder of its
# own), is built by the same rule as every example, for both targets,
# with no Makefile edit, runs in the simulator and under QEMU, and runs
# through ./toro run DIR; extra compiler flags reach a program (and
# through ./toro build DIR --cflags @FILE, a changed FILE rebuilds it),
# and extra libraries (a static library made here) are linked into both
# targets.  A folder without C files and one named like an example are
# refused.  The tree is left as it was.
. "$srcdir/tests/tap.sh"
plan 11

tmp=$(mktemp -d)
name=folderprog$$
dir=$tmp/$name
out=$tmp/out
# Its products, which out/ would keep otherwise.
products() {
	rm -rf "out/sim/$name" "out/native/$name.elf" \
	    "out/native/$name.pvh.elf" "out/obj/$name" \
	    "out/sim/${name}f" "out/obj/${name}f" "out/native/${name}f.elf" \
	    "out/native/${name}f.pvh.elf" "out/sim/${name}l" \
	    "out/native/${name}l.elf" "out/obj/${name}l"
}
trap 'products; rm -rf "$tmp"' EXIT
# The make and ./toro started here are not part of the make running us.
unmake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$@"; }
git_status() {
	git -C "$srcdir" status --porcelain --untracked-files=all 2>/dev/null
}
before=$(git_status)
top=$(cd "$srcdir" && pwd)

mkdir -p "$dir/include" "$tmp/empty" "$tmp/hello" "$tmp/${name}f" \
    "$tmp/${name}l" "$tmp/lib"
cat >"$dir/include/greet.h" <<'C'
void greet(const char *who);
C
cat >"$dir/greet.c" <<'C'
#include <toro/toro.h>

#include "greet.h"

void
greet(const char *who)
{
	toro_printf("folder program greets %s on %d CPUs\n", who,
	    toro_cpu_count());
}
C
cat >"$dir/main.c" <<'C'
#include <toro/toro.h>

#include "greet.h"

int
main(int argc, char **argv)
{
	greet(argc > 1 ? argv[1] : "nobody");
	return 7;
}
C
echo 'int main(void) { return 0; }' >"$tmp/hello/main.c"
cat >"$tmp/${name}f/main.c" <<'C'
#include <toro/toro.h>

int
main(int argc, char **argv)
{
	toro_printf("%s\n", WORD);
	return 0;
}
C

# greets WHO CPUS STATUS: the program's one line, and its exit status.
greets() {
	[ "$3" -eq 7 ] || { note <"$out"; return 1; }
	file_has "$out" "^folder program greets $1 on $2 CPUs$"
}

build() {
	unmake make -s "TORO_PROGRAMS=$dir" "out/sim/$name" \
	    "out/native/$name.elf" "out/native/$name.pvh.elf" >"$out" 2>&1 ||
	    { note <"$out"; return 1; }
}
check "built by rule for both targets" build
s=0
timeout 60 "out/sim/$name" --cpus 2 -- you >"$out" 2>&1 || s=$?
check "in the simulator: output and exit status" greets you 2 $s
if command -v qemu-system-x86_64 >/dev/null; then
	. "$srcdir/hal/native/qemu.sh"
	s=0
	toro_qemu_boot "$out" microvm 2 "out/native/$name.elf" "qemu" || s=$?
	check "native on microvm: output and exit status" greets qemu 2 $s
else
	skip "qemu-system-x86_64 is not installed"
fi
products
# ./toro run builds it again: the rule, from ./toro, which builds in its
# own tree.
if [ "$(cd "$srcdir" && pwd)" = "$(pwd)" ]; then
	s=0
	unmake timeout 300 ./toro run "$dir" --cpus 3 -- toro \
	    >"$out" 2>&1 </dev/null || s=$?
	check "./toro run DIR: built and run" greets toro 3 $s
	s=0
	unmake ./toro run "$tmp/empty" >"$out" 2>&1 || s=$?
	check "./toro run DIR: a folder without C files is refused" \
	    eval '[ $s -ne 0 ] && file_has "$out" "has no \.c file"'
else
	skip "./toro run DIR: ./toro builds in its own tree, not this VPATH build"
	skip "./toro run DIR: ./toro builds in its own tree, not this VPATH build"
fi
s=0
unmake make -s "TORO_PROGRAMS=$tmp/hello" out/sim/hello >"$out" 2>&1 || s=$?
check "a folder named like an example is refused" \
    eval '[ $s -ne 0 ] && file_has "$out" "program .hello. .* already defined"'
flags() {
	unmake make -s "TORO_PROGRAMS=$tmp/${name}f" \
	    'TORO_PROGRAM_CFLAGS=-DWORD=\"flagged\"' "out/sim/${name}f" \
	    >"$out" 2>&1 || { note <"$out"; return 1; }
	timeout 60 "out/sim/${name}f" >"$out" 2>&1 &&
	    file_has "$out" "^flagged$"
}
check "TORO_PROGRAM_CFLAGS reach the program" flags
# ./toro build DIR --cflags @FILE, both named from another folder: the
# flags reach the program, and a changed flag file rebuilds it.
said() { # WORD: ./toro build with WORD in the flag file, then the run
	echo "-DWORD=\\\"$1\\\"" >"$tmp/word.flags"
	(cd "$tmp" && unmake "$top/toro" build "./${name}f" \
	    --cflags @word.flags) >"$out" 2>&1 || { note <"$out"; return 1; }
	timeout 60 "out/sim/${name}f" >"$out" 2>&1 && file_has "$out" "^$1$"
}
if [ "$top" = "$(pwd)" ]; then
	check "./toro build DIR --cflags @FILE: a new flag file rebuilds it" \
	    eval 'said one && said two'
else
	skip "./toro build DIR: ./toro builds in its own tree, not this VPATH build"
fi
# A static library of the program's own, needing no header, and a
# program of the C library that calls it.
cat >"$tmp/lib/twice.c" <<'C'
long twice(long x);
long
twice(long x)
{
	return 2 * x;
}
C
cat >"$tmp/${name}l/main.c" <<'C'
#include <stdio.h>

long twice(long x);

int
main(void)
{
	printf("twice 21 is %ld\n", twice(21));
	return 0;
}
C
libs() {
	${CC:-cc} -ffreestanding -fPIE -c -o "$tmp/lib/twice.o" \
	    "$tmp/lib/twice.c" && ar cr "$tmp/lib/libtwice.a" \
	    "$tmp/lib/twice.o" &&
	    unmake make -s "TORO_PROGRAMS=$tmp/${name}l" \
	    "TORO_PROGRAM_LIBS=-L$tmp/lib -ltwice -lm -lpthread" \
	    "out/sim/${name}l" \
	    "out/native/${name}l.elf" >"$out" 2>&1 ||
	    { note <"$out"; return 1; }
	timeout 60 "out/sim/${name}l" >"$out" 2>&1 &&
	    file_has "$out" "^twice 21 is 42$"
}
check "TORO_PROGRAM_LIBS (-L, -l; -lm is musl's) reach both links" libs
products
check "no product of it is left in out/" \
    eval '! compgen -G "out/*/$name*" >/dev/null &&
	! compgen -G "out/obj/$name*" >/dev/null'
if git -C "$srcdir" rev-parse >/dev/null 2>&1; then
	check "the tree is as it was" test "$(git_status)" = "$before"
else
	skip "the source tree is not a git checkout"
fi
