#!/bin/bash
# image.sh: ./toro image writes what VM runners take.  An image of hello
# and one of a folder app with --files: the OCI layout is read and
# copied (every digest checked) by skopeo, its annotations are urunc's;
# run-qemu.sh boots each image as it is on microvm and q35, the app
# reading its file from disk.img and exiting with its own status.  The
# app is several files with an include/ folder of its own, given extra
# compiler flags (a flag file, --cflags @FILE) and a static library
# (--libs), all named by paths relative to where ./toro is run.  A
# folder without main, a missing flag file, an unknown option and a
# --files folder too big for FAT16 get one line and a non-zero status,
# and leave nothing.
. "$srcdir/tests/tap.sh"
plan 10

for c in qemu-system-x86_64 mformat mcopy skopeo; do
	if ! command -v $c >/dev/null; then
		for i in 1 2 3 4 5 6 7 8 9; do skip "no $c (./toro deps)"; done
		exit 0
	fi
done

tmp=$(mktemp -d)
name=imgapp$$
app=$tmp/$name
trap 'rm -rf "$tmp" "out/sim/$name" "out/native/$name.elf" \
    "out/native/$name.pvh.elf" "out/obj/$name" "out/obj/nomain$$"' \
    EXIT
unmake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$@"; }
top=$(cd "$srcdir" && pwd)
toro() { unmake "$top/toro" "$@"; }

mkdir -p "$app/include" "$tmp/files/sub" "$tmp/nomain$$" "$tmp/big" \
    "$tmp/lib"
cat >"$app/include/say.h" <<'C'
const char *say_word(void);
long twice(long x);
C
cat >"$app/say.c" <<'C'
#include "say.h"

const char *
say_word(void)
{
	return SAY_WORD;
}
C
cat >"$app/main.c" <<'C'
#include <stdio.h>

#include "say.h"

int
main(int argc, char **argv)
{
	char line[64];
	FILE *f;

	if ((f = fopen("/sub/greeting.txt", "r")) == NULL ||
	    fgets(line, sizeof(line), f) == NULL) {
		printf("no greeting\n");
		return 1;
	}
	printf("image app %s %s to %s", say_word(),
	    argc > 1 ? argv[1] : "nothing", line);
	return twice(1) + 1;
}
C
# The flag file and the library, named relative to $tmp.
echo '-DSAY_WORD=\"says\"' >"$tmp/app.flags"
echo 'long twice(long x) { return 2 * x; }' >"$tmp/lib/twice.c"
${CC:-cc} -ffreestanding -fPIE -O2 -c -o "$tmp/lib/twice.o" "$tmp/lib/twice.c"
ar cr "$tmp/lib/libtwice.a" "$tmp/lib/twice.o"
echo "the disk" >"$tmp/files/sub/greeting.txt"
echo "int helper(void) { return 1; }" >"$tmp/nomain$$/lib.c"
truncate -s 3G "$tmp/big/huge"

# ok_image DIR: every file of an image, and skopeo's word on it.
ok_image() {
	local f
	for f in kernel.elf kernel.pvh.elf cmdline oci-layout index.json \
	    vm.json run-qemu.sh README; do
		[ -s "$1/$f" ] || { echo "# no $f in $1"; return 1; }
	done
	skopeo inspect --raw "oci:$1:latest" >"$tmp/raw" 2>&1 &&
	    file_has "$tmp/raw" '"com.urunc.unikernel.unikernelType": "toro"' \
		'"com.urunc.unikernel.hypervisor": "qemu"' \
		'"com.urunc.unikernel.binary": "/toro/kernel.elf"' \
		'"org.toro.app"' &&
	    skopeo inspect "oci:$1:latest" >"$tmp/inspect" 2>&1 &&
	    file_has "$tmp/inspect" '"Architecture": "amd64"' \
		'"com.urunc.unikernel.cmdline"' &&
	    rm -rf "$tmp/copy" &&
	    skopeo copy -q "oci:$1:latest" "dir:$tmp/copy" >"$tmp/copylog" 2>&1 ||
	    { note <"$tmp/copylog" 2>/dev/null; note <"$tmp/raw"; return 1; }
}

# booted OUTPUT STATUS WANT PATTERN: QEMU's run ended with WANT and
# printed PATTERN.
booted() {
	tr -d '\r' <"$1" >"$1.lf"
	[ "$2" -eq "$3" ] || { echo "# status $2, not $3"; note <"$1.lf"; return 1; }
	file_has "$1.lf" "$4"
}

toro image hello --out "$tmp/hello" --cpus 1 >"$tmp/log" 2>&1
check "hello: ./toro image writes a layout skopeo reads and copies" \
    ok_image "$tmp/hello"
s=0
"$tmp/hello/run-qemu.sh" microvm >"$tmp/hmvm" 2>&1 || s=$?
check "hello: run-qemu.sh boots it on microvm, status 0" \
    booted "$tmp/hmvm" $s 0 'Hello' 

(cd "$tmp" && toro image "./$name" --files files --cmdline "hello" \
    --cflags @app.flags --libs lib/libtwice.a --out img) >"$tmp/log" 2>&1
# has_disk: the layer skopeo copied holds toro/disk.img.
has_disk() {
	local b
	[ -s "$tmp/img/disk.img" ] || return 1
	for b in "$tmp/copy"/*; do
		tar -tzf "$b" 2>/dev/null | grep -qx toro/disk.img && return 0
	done
	return 1
}
check "app --files: the layout holds the disk, skopeo reads and copies it" \
    eval 'ok_image "$tmp/img" && has_disk || { note <"$tmp/log"; false; }'
s=0
"$tmp/img/run-qemu.sh" microvm >"$tmp/amvm" 2>&1 || s=$?
check "app: microvm prints the disk's line, the status is main's (3)" \
    booted "$tmp/amvm" $s 3 '^image app says hello to the disk$'
s=0
"$tmp/img/run-qemu.sh" q35 >"$tmp/aq35" 2>&1 || s=$?
check "app: q35 prints the disk's line, the status is main's (3)" \
    booted "$tmp/aq35" $s 3 '^image app says hello to the disk$'

# refused WHAT PATTERN ARGS...: one line matching PATTERN, status not 0,
# and no folder (nor temporary one) left where it would have gone.
refused() {
	local what=$1 pat=$2 s=0
	shift 2
	rm -rf "$tmp/bad"
	mkdir "$tmp/bad"
	toro image "$@" --out "$tmp/bad/x" >"$tmp/out" 2>"$tmp/err" || s=$?
	if [ $s -ne 0 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
	    grep -q "$pat" "$tmp/err" && [ -z "$(ls -A "$tmp/bad")" ]; then
		ok "$what"
	else
		echo "# status $s"
		note <"$tmp/err"
		ls -A "$tmp/bad" | note
		fail "$what"
	fi
}
refused "a folder without main is refused" "no main" "$tmp/nomain$$"
refused "an unknown option is refused" "unknown option" hello --bogus 1
refused "a missing flag file is refused" "no flag file" "$app" \
    --cflags "@$tmp/nowhere.flags"
refused "a --files folder too big for FAT16 is refused" "FAT16" hello \
    --files "$tmp/big"
# The OCI layout is the same for the same inputs: the digests prove it.
toro image "$app" --files "$tmp/files" --cmdline "hello" \
    --cflags "@$tmp/app.flags" --libs "$tmp/lib/libtwice.a" \
    --out "$tmp/img2" >"$tmp/log" 2>&1
check "the same inputs give the same image (reproducible digests)" \
    cmp "$tmp/img/index.json" "$tmp/img2/index.json"
