# fs.sh: the file system on a FAT16 disk image, timed in the sim's guest,
# vs mtools doing the same to the same kind of image, and vs cat reading
# the image file (the ceiling for a sequential read).
#
# 1. Sequential: write a 64 MiB file in 64 KiB chunks (write + close +
#    sync), then read it back (a fresh boot, so the guest cache is cold),
#    in MB/s (10^6 bytes); the peers are `mcopy -i IMG SRC ::/f64` and
#    `mcopy -i IMG ::/f64 OUT`, and `cat IMG >/dev/null`.
# 2. Small files: 1,000 files of 4 KiB in /small/d00../d09 (100 each),
#    created and written (then sync), then opened and read, in files/s;
#    the peer is `mcopy -s` of the same tree into and out of an image.
# 3. Two readers: two files of 32 MiB read one after the other on CPU 0,
#    then at once, the second on CPU 1 (--cpus 2), in MB/s of both; the
#    peer is the guest itself: at once over one after the other says
#    whether the storage thread serialises the readers (1.0: no faster
#    together than the one disk thread allows; below: worse).
#
# All files live on tmpfs (/dev/shm, else $TMPDIR) and each is read once
# (cat >/dev/null) before it is timed: caches cannot be dropped here, so
# every subject and peer runs with the host's page cache warm.  The
# guest's times are taken inside the guest (toro_time_ns), boot and
# power-off left out; the peers' are wall times of one process each.
# Neither side fsyncs the image inside the timed part.

. bench/common.sh
MB=64
FILES=1000
if [ -z "${BENCH_TMP:-}" ]; then
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then BENCH_TMP=/dev/shm
	else BENCH_TMP=${TMPDIR:-/tmp}; fi
fi
dir=$(mktemp -d "$BENCH_TMP/toro-fs.XXXXXX")
trap 'rm -rf "$dir"' EXIT
export MTOOLS_SKIP_CHECK=1
bytes=$((MB * 1024 * 1024))

# An empty 256 MiB FAT16 volume (4 KiB clusters, 512 root entries).
mformat -C -i "$dir/empty.img" -T 524288 -h 64 -s 32 :: ||
	{ echo "fs: mformat failed"; exit 1; }
fsck.fat -v -n "$dir/empty.img" | grep -q "16 bit entries" ||
	{ echo "fs: the image is not FAT16"; exit 1; }

# The host's copies of what the guest writes: the same bytes, so a
# finished run can be compared with cmp.
python3 - "$dir" "$MB" "$FILES" <<'PY'
import os, struct, sys
d, mb, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
pat = bytes((i * 7 + 1) & 255 for i in range(65536))
with open(os.path.join(d, "src64"), "wb") as f:
    for i in range(mb * 16):
        f.write(struct.pack("<Q", i) + pat[8:])
for i in range(files):
    sub = os.path.join(d, "small", "d%02d" % (i // 100))
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, "f%03d.dat" % (i % 100)), "wb") as f:
        f.write(struct.pack("<Q", i) + pat[8:4096])
PY

warm() { cat "$@" >/dev/null; }
# wall IN_NS OUT_NS: elapsed ns.
mbs() { awk -v b="$1" -v ns="$2" 'BEGIN { printf "%.1f\n", b / 1e6 / (ns / 1e9) }'; }
fps() { awk -v n="$1" -v ns="$2" 'BEGIN { printf "%.1f\n", n / (ns / 1e9) }'; }
guest() { # IMG MODE [ARG]: the guest's rate, or exit on failure.
	local out
	out=$(out/bench/sim/fs --disk "$1" -- "${@:2}") &&
		echo "$out" | grep -q "^fs: $2 " ||
		{ echo "fs: guest $2 failed: $out" >&2; exit 1; }
	echo "$out" | sed "s/^fs: $2 //" | number
}

for i in $(seq "$RUNS"); do
	# Sequential, the guest.
	cp "$dir/empty.img" "$dir/t.img"; warm "$dir/t.img"
	guest "$dir/t.img" bigw "$MB" >>"$dir/tw" || exit 1
	warm "$dir/t.img"
	guest "$dir/t.img" bigr >>"$dir/tr" || exit 1
	# Sequential, mtools.
	cp "$dir/empty.img" "$dir/m.img"; warm "$dir/m.img" "$dir/src64"
	s=$(now_ns); mcopy -i "$dir/m.img" "$dir/src64" ::/f64 || exit 1
	mbs "$bytes" $(($(now_ns) - s)) >>"$dir/mw"
	warm "$dir/m.img"
	s=$(now_ns); mcopy -i "$dir/m.img" ::/f64 "$dir/out64" || exit 1
	mbs "$bytes" $(($(now_ns) - s)) >>"$dir/mr"
	rm -f "$dir/out64"
	# The ceiling: the whole image the guest wrote (256 MiB), warm.
	warm "$dir/t.img"
	s=$(now_ns); cat "$dir/t.img" >/dev/null
	mbs "$(stat -c %s "$dir/t.img")" $(($(now_ns) - s)) >>"$dir/cr"

	# Small files, the guest.
	cp "$dir/empty.img" "$dir/ts.img"; warm "$dir/ts.img"
	guest "$dir/ts.img" smallw "$FILES" >>"$dir/tsw" || exit 1
	warm "$dir/ts.img"
	guest "$dir/ts.img" smallr "$FILES" >>"$dir/tsr" || exit 1
	# Small files, mtools.
	cp "$dir/empty.img" "$dir/ms.img"; warm "$dir/ms.img"
	find "$dir/small" -type f -exec cat {} + >/dev/null
	s=$(now_ns); mcopy -s -i "$dir/ms.img" "$dir/small" ::/ || exit 1
	fps "$FILES" $(($(now_ns) - s)) >>"$dir/msw"
	warm "$dir/ms.img"; mkdir "$dir/out"
	s=$(now_ns); mcopy -s -i "$dir/ms.img" ::/small "$dir/out/" || exit 1
	fps "$FILES" $(($(now_ns) - s)) >>"$dir/msr"
	rm -rf "$dir/out"

	# Two readers, the guest against itself.
	cp "$dir/empty.img" "$dir/p.img"; warm "$dir/p.img"
	out=$(out/bench/sim/fs --cpus 2 --disk "$dir/p.img" -- par 32) &&
		echo "$out" | grep -q "^fs: par " ||
		{ echo "fs: guest par failed: $out" >&2; exit 1; }
	echo "$out" | awk '/^fs: par / { print $3 }' >>"$dir/ps"
	echo "$out" | awk '/^fs: par / { print $4 }' >>"$dir/pp"
done

# What the guest wrote is what the host expects, and the volume is sound.
mcopy -i "$dir/t.img" ::/f64 "$dir/out64" && cmp -s "$dir/out64" "$dir/src64" ||
	{ echo "fs: the guest's /f64 differs from the host's copy"; exit 1; }
mkdir "$dir/out" && mcopy -s -i "$dir/ts.img" ::/small "$dir/out/" &&
	diff -r "$dir/out/small" "$dir/small" >/dev/null ||
	{ echo "fs: the guest's /small differs from the host's copy"; exit 1; }
fsck.fat -n "$dir/t.img" >/dev/null && fsck.fat -n "$dir/ts.img" >/dev/null ||
	{ echo "fs: fsck.fat finds errors in the guest's images"; exit 1; }

tw=$(median <"$dir/tw") tr=$(median <"$dir/tr") mw=$(median <"$dir/mw")
mr=$(median <"$dir/mr") cr=$(median <"$dir/cr")
echo "sequential $MB MiB, 64 KiB chunks (median of $RUNS, MB/s, host cache warm):"
echo "  write+sync: toro $tw, mcopy $mw; ratio toro/mcopy $(ratio "$tw" "$mw")"
echo "  read:       toro $tr, mcopy $mr, cat $cr; ratio toro/mcopy $(ratio "$tr" "$mr"), toro/cat $(ratio "$tr" "$cr")"
tsw=$(median <"$dir/tsw") tsr=$(median <"$dir/tsr")
msw=$(median <"$dir/msw") msr=$(median <"$dir/msr")
echo "small files, $FILES x 4 KiB in 10 folders (median of $RUNS, files/s):"
echo "  create+write+sync: toro $tsw, mcopy -s $msw; ratio toro/mcopy $(ratio "$tsw" "$msw")"
echo "  open+read:         toro $tsr, mcopy -s $msr; ratio toro/mcopy $(ratio "$tsr" "$msr")"
ps=$(median <"$dir/ps") pp=$(median <"$dir/pp")
echo "two readers, 2 x 32 MiB on 2 CPUs (median of $RUNS, MB/s of both):"
echo "  one after the other $ps, at once $pp;" \
    "ratio at once/one after the other $(ratio "$pp" "$ps")"
