#!/bin/bash
# share.sh: a shared folder (--share) never reaches outside itself, and
# what FAT16 cannot hold is refused before boot.
#  - Symbolic links inside the folder, to files and to folders outside
#    it, at depths 1 to 5 (relative and absolute), one to a file inside,
#    and a named pipe: the guest (out/tests/sim/sharewrite) does not see them,
#    then writes files and makes folders under their names.  A checksum
#    of everything outside the folder shows nothing changed, the links are
#    still the same links, the refusals are counted and named, the
#    legitimate changes came back, and nothing but the sim's own lines
#    reaches the terminal (no mtools message, even for an empty folder).
#  - Folders FAT16 cannot hold as they are: each is refused before boot
#    with status 1 and one line naming the file, and stays as it was.
. "$srcdir/tests/tap.sh"
plan 34

if ! command -v mformat >/dev/null || ! command -v fsck.fat >/dev/null; then
	for ((i = 0; i < 34; i++)); do skip "mtools or dosfstools missing"; done
	exit 0
fi
if [ ! -x out/tests/sim/sharewrite ]; then
	for ((i = 0; i < 34; i++)); do fail "out/tests/sim/sharewrite is not built"; done
	exit 0
fi

dir=$(mktemp -d)
out=$dir/out
trap 'rm -rf "$dir"' EXIT
share=$dir/share
outside=$dir/outside
trees=$dir/trees

# guest ARGS...: run sharewrite on the shared folder, output in $out.
guest() {
	timeout -k 5 60 out/tests/sim/sharewrite --net none --share "$share" -- "$@" \
	    >"$out" 2>&1
}

# What lies outside the folder: every entry (type, mode, size, link
# target) and every file's SHA-256.
outside_sum() {
	(cd "$outside" && find . -printf '%y %m %s %p -> %l\n' | LC_ALL=C sort &&
	    find . -type f -exec sha256sum {} + | LC_ALL=C sort)
}

# Only the sim's and the guest's own lines reach the terminal.
only_own_lines() {
	! grep -v '^sharewrite: ' "$out" | grep -q . || { note <"$out"; return 1; }
}

mkdir -p "$outside/dir/inner" "$share/sub/deeper" "$share/a/b/c/d" "$trees"
echo secret >"$outside/secret.txt"
echo o >"$outside/dir/o.txt"
echo i >"$outside/dir/inner/i.txt"
echo keep >"$share/sub/a.txt"
echo gone >"$share/sub/gone.txt"
ln -s ../outside/secret.txt "$share/flink"
ln -s ../outside/dir "$share/dlink"
ln -s ../../outside/dir "$share/sub/dlink2"
ln -s ../../../outside/secret.txt "$share/sub/deeper/flink3"
ln -s "$outside" "$share/sub/deeper/abs"
ln -s "$outside/secret.txt" "$share/a/b/c/d/flink5"
ln -s sub/a.txt "$share/inner"
mkfifo "$share/sub/fifo"
outside_sum >"$dir/before"
links() { find "$share" -type l -printf '%p -> %l\n' | LC_ALL=C sort; }
links >"$dir/links"

# The guest cannot see the links: they are not on its disk.
guest x:/flink x:/inner r:/dlink x:/sub/deeper/flink3 x:/a/b/c/d/flink5
check "links are not on the guest's disk (5 steps fail)" test $? -eq 5
check "the boot line counts what was left out" \
    grep -q "share $share: not on the disk, never followed nor written: 7 symbolic links, 1 devices" "$out"
check "nothing changed in the folder" grep -q \
    "share $share: 0 created, 0 changed, 0 deleted, 0 refused" "$out"

# Then it writes under their names, at every depth.
guest w:/flink d:/dlink w:/dlink/o.txt w:/dlink/new.txt d:/dlink/inner \
    w:/dlink/inner/i.txt d:/sub/dlink2 w:/sub/dlink2/o.txt \
    w:/sub/deeper/flink3 d:/sub/deeper/abs d:/sub/deeper/abs/dir \
    w:/sub/deeper/abs/dir/o.txt w:/sub/deeper/abs/secret.txt \
    w:/a/b/c/d/flink5 w:/inner w:/sub/fifo w:/sub/new.txt x:/sub/gone.txt
check "the guest's writes succeed on its disk" test $? -eq 0
outside_sum >"$dir/after"
check "nothing outside the folder changed (checksums)" \
    cmp -s "$dir/before" "$dir/after"
same_links() { links | cmp -s - "$dir/links"; }
check "the links are the same links" same_links
check "the summary counts the refusals" grep -q \
    "share $share: 1 created, 0 changed, 1 deleted, 8 refused" "$out"
check "the refusals are named" file_has "$out" "not copied back: " \
    "[ :]flink \(a symbolic link on the host\)" \
    "[ :]dlink \(a symbolic link on the host\)" \
    "sub/dlink2 \(a symbolic link on the host\)" \
    "sub/deeper/flink3 \(a symbolic link on the host\)" \
    "sub/deeper/abs \(a symbolic link on the host\)" \
    "a/b/c/d/flink5 \(a symbolic link on the host\)" \
    "[ :]inner \(a symbolic link on the host\)" \
    "sub/fifo \(a device, pipe or socket on the host\)"
check "a legitimate new file came back" \
    grep -qx "written by the guest" "$share/sub/new.txt"
check "a legitimate delete came back" test ! -e "$share/sub/gone.txt"
check "the file a link names inside is untouched" grep -qx keep "$share/sub/a.txt"
check "no tool output reaches the terminal" only_own_lines

# A folder the guest deletes holds a link it never saw: the link stays.
mkdir -p "$share/gone/sub"
echo x >"$share/gone/sub/x.txt"
ln -s "$outside/dir" "$share/gone/sub/link"
outside_sum >"$dir/before"
guest x:/gone/sub/x.txt r:/gone/sub r:/gone
check "the guest removes a folder it sees as empty" test $? -eq 0
check "the folder stays with the link it holds" test -L "$share/gone/sub/link"
check "... and says why" grep -q "gone/sub (holds what was not shared" "$out"
outside_sum >"$dir/after"
check "nothing outside changed by the removal" cmp -s "$dir/before" "$dir/after"

# A file becomes a folder and a folder a file; a folder that holds a
# link cannot become a file: the link and its folder stay.
mkdir -p "$share/t2" "$share/t3"
echo 1 >"$share/t1"
echo 2 >"$share/t2/x.txt"
ln -s "$outside/dir" "$share/t3/link"
outside_sum >"$dir/before"
guest x:/t1 d:/t1 w:/t1/in.txt x:/t2/x.txt r:/t2 w:/t2 r:/t3 w:/t3
check "file to folder and folder to file come back" test $? -eq 0 \
    -a -f "$share/t1/in.txt" -a -f "$share/t2"
check "a folder holding a link stays a folder, and says so" file_has "$out" \
    "t3/link \(not shared, so not removed\)"
check "... the link is intact" test -L "$share/t3/link"
outside_sum >"$dir/after"
check "nothing outside changed by the replacements" \
    cmp -s "$dir/before" "$dir/after"

# An empty folder: no mtools message (mdir once said 'File "::" not found').
rm -rf "$share" && mkdir "$share"
guest
check "an empty folder: only the summary line" only_own_lines
check "an empty folder: the summary line" grep -q \
    "share $share: 0 created, 0 changed, 0 deleted, 0 refused" "$out"

# refused NAME SETUP...: SETUP (a shell command run in a fresh folder)
# makes a folder FAT16 cannot hold as it is: the sim must stop before
# boot with status 1 and one line that names NAME, leaving the folder
# as it was.
refused() {
	local name=$1 st
	shift
	rm -rf "$share" && mkdir "$share" && (cd "$share" && eval "$@") ||
	    return 1
	# The listings go to $trees: made in $dir, the share's "..", the
	# first would change the time ls shows for ".." by the minute.
	ls -laR "$share" >"$trees/before"
	guest w:/new.txt
	st=$?
	ls -laR "$share" >"$trees/after"
	[ $st -eq 1 ] && [ "$(wc -l <"$out")" -eq 1 ] &&
	    grep -qF -- "$name" "$out" && grep -q "nothing was started" "$out" &&
	    cmp -s "$trees/before" "$trees/after" ||
	    { echo "status $st" | note; note <"$out"; return 1; }
}
check "refused: two names that differ only in case" \
    refused "README and readme" 'echo 1 >README; echo 2 >readme'
check "refused: a name ending in a dot" refused "sub/a." \
    'mkdir sub; echo 1 >sub/a.'
check "refused: a name ending in a space" refused "b " 'echo 1 >"b "'
check "refused: a character FAT cannot hold" refused "x:y" 'echo 1 >x:y'
check "refused: a folder name with [ ]" refused "d[1]" 'mkdir "d[1]"'
check "refused: a name that is not UTF-8" refused "$(printf 'n\xff')" \
    'echo 1 >"$(printf "n\xff")"'
check "refused: a path longer than the kernel takes" \
    refused "pp/the-last-name-is-long-enough.txt" \
    'p=$(printf "p%.0s" {1..200}); mkdir -p $p/$p/$p/$p/$p &&
    echo 1 >$p/$p/$p/$p/$p/the-last-name-is-long-enough.txt'
check "refused: a file of 2 GiB" refused "big.bin" 'truncate -s 2G big.bin'
check "refused: more than the volume holds" refused "largest file is c.bin" \
    'truncate -s 700M a.bin b.bin; truncate -s 800M c.bin'
check "refused: more names than the root folder holds" \
    refused "16500 names at its top, more than a FAT16 root folder holds" \
    'seq -f "f%05g" 16500 | xargs touch'
check "refused: more names than a FAT folder holds" \
    refused "sub: more entries than a FAT folder holds" \
    'mkdir sub && seq -f "sub/f%05g" 33000 | xargs touch'
check "refused: a name mtools will not store (con)" refused "con" \
    'echo 1 >con'
