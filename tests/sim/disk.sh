#!/bin/bash
# disk.sh: disk 0 in the simulator with the `files` example: an image
# made with mtools (--disk), read-only (:ro), a missing or empty image,
# and a host folder shared both ways (--share).
. "$srcdir/tests/tap.sh"
plan 29

if ! command -v mformat >/dev/null || ! command -v fsck.fat >/dev/null; then
	for ((i = 0; i < 27; i++)); do skip "mtools or dosfstools missing"; done
	exit 0
fi

dir=$(mktemp -d)
out=$dir/out
trap 'rm -rf "$dir"' EXIT

# files ARGS...: run the example with a time limit, output in $out.
files() {
	timeout 60 out/sim/files --net none "$@" >"$out" 2>&1
}

# mkimage FILE: an empty 32 MiB FAT16 image.
mkimage() {
	rm -f "$1"
	truncate -s 32M "$1" && mformat -i "$1" -T 65520 -h 16 -s 63 -c 8 ::
}

fsck_clean() {
	fsck.fat -n "$1" >"$dir/fsck" 2>&1 || { note <"$dir/fsck"; return 1; }
}

listed() {
	grep -q " $1\$" "$out" || { note <"$out"; return 1; }
}

# An image with a few files, copied in by mcopy.
img=$dir/disk.img
mkdir -p "$dir/src/sub"
echo hello >"$dir/src/README"
echo long >"$dir/src/A long name.txt"
echo code >"$dir/src/sub/a.c"
mkimage "$img" && mcopy -s -i "$img" "$dir/src/"* ::/
files --disk "$img" -- /README
check "--disk: files exits with 0" test $? -eq 0
check "the listing has /README" listed /README
check "the listing has a long name" listed "/A long name.txt"
check "the listing has /sub/a.c" listed /sub/a.c
check "PATH is printed" grep -qx hello "$out"
check "the image is clean after the run" fsck_clean "$img"
mtype -i "$img" ::/files.log >"$dir/log1" 2>&1
check "/files.log was made" grep -q "files ran at" "$dir/log1"
files --disk "$img"
check "a second run exits with 0" test $? -eq 0
mtype -i "$img" ::/files.log >"$dir/log2" 2>&1
check "/files.log grew" test "$(wc -l <"$dir/log2")" -eq 2
check "the scratch file is gone" \
    bash -c "! mdir -i '$img' ::/files-scratch-renamed.tmp >/dev/null 2>&1"

# Read-only: the kernel reads, refuses writes, and the image stays as is.
cp "$img" "$dir/before.img"
files --disk "$img:ro"
check ":ro: files fails" test $? -ne 0
check ":ro: the error says read-only" grep -q "read-only file system" "$out"
check ":ro: the listing still works" listed /sub/a.c
check ":ro: the image is unchanged" cmp -s "$img" "$dir/before.img"

# A missing image.
files --disk "$dir/missing.img"
st=$?
check "a missing image: exit status 1 or 2" test $st -eq 1 -o $st -eq 2
check "a missing image is named" grep -q "missing.img" "$out"

# A freshly formatted, empty image.
mkimage "$dir/empty.img"
files --disk "$dir/empty.img"
check "an empty image: files exits with 0" test $? -eq 0
check "an empty image: 0 files listed" grep -qx "0 files" "$out"
check "an empty image is clean afterwards" fsck_clean "$dir/empty.img"

# --share: created, changed and deleted files come back; the rest stays.
share=$dir/share
mkdir -p "$share/keep/deeper"
echo one >"$share/untouched.txt"
echo two >"$share/keep/deeper/Long untouched name.txt"
touch -d 2020-01-02 "$share/untouched.txt" \
    "$share/keep/deeper/Long untouched name.txt"
# Left by an earlier run that failed: files deletes them.
echo x >"$share/files-scratch.tmp"
echo y >"$share/files-scratch-renamed.tmp"
cp -a "$share" "$dir/orig"
files --share "$share"
check "--share: files exits with 0" test $? -eq 0
check "--share: the summary line" \
    grep -q "share $share: 1 created, 0 changed, 2 deleted" "$out"
check "--share: /files.log came back" grep -q "files ran at" "$share/files.log"
check "--share: deleted files are gone" test ! -e "$share/files-scratch.tmp" \
    -a ! -e "$share/files-scratch-renamed.tmp"
same() {
	local f
	for f in untouched.txt "keep/deeper/Long untouched name.txt"; do
		cmp -s "$share/$f" "$dir/orig/$f" &&
		    [ "$(stat -c %Y "$share/$f")" = "$(stat -c %Y "$dir/orig/$f")" ] ||
		    return 1
	done
}
check "--share: untouched files are identical, mtimes kept" same
files --share "$share"
check "--share again: /files.log changed" \
    grep -q "share $share: 0 created, 1 changed, 0 deleted" "$out"

# Stopped by the host (SIGTERM, as `timeout` sends): the copy-back runs
# on a host thread, not on the kernel's stop thread with its small stack.
timeout 30 out/sim/ticker --cpus 2 --share "$share" -- 60 >"$out" 2>&1 &
pid=$!
sleep 1.5
kill -TERM $pid
for i in $(seq 100); do
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
wait $pid
check "--share: SIGTERM stops the machine with status 130" test $? -eq 130
check "--share: after SIGTERM, the summary line" \
    grep -q "share $share: 0 created, 0 changed, 0 deleted" "$out"

# Option errors.
timeout 10 out/sim/files --disk "$img" --share "$share" >"$out" 2>&1
check "--disk with --share is refused with status 2" test $? -eq 2
timeout 10 out/sim/files --share "$dir/nothing" >"$out" 2>&1
st=$?
check "--share of a missing folder: a clear error" \
    test $st -eq 1 -a -n "$(grep "nothing" "$out")"
