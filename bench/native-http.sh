# native-http.sh: HTTP requests per second and host CPU time per
# request, wrk through a TAP interface to the native webserver
# (out/native/webserver.elf) vs the Linux guest (Debian's kernel and
# `busybox httpd`, built by bench/linux/build.sh into out/linux-guest/),
# both under QEMU with the same options but -kernel, -initrd and -append.
#
#	RUNS=3 WRK="-t2 -c32 -d10s" MACHINE=q35 CPUS=2 MEM=128 \
#	    bash bench/native-http.sh
#
# One guest at a time, alternating, RUNS times (default 3).  Each boot is
# warmed up (WARMUP seconds of wrk, TCG translates the hot code), then
# measured in each of MODES (default "keep-alive close"): keep-alive is
# wrk's default; close adds "Connection: close" so both servers do a TCP
# connection per request, since busybox httpd closes after every answer
# anyway.  CPU per request is the QEMU process's utime + stime (all its
# threads, /proc/PID/stat) over the wrk run, divided by the requests wrk
# completed.  q35 by default: on microvm the Debian kernel cannot always
# calibrate its TSC under TCG (microvm has no HPET or ACPI PM timer) and
# may hang at boot.
RUNS=${RUNS:-3}
. bench/common.sh
. hal/native/qemu.sh
WRK=${WRK:-"-t2 -c32 -d10s"}
WARMUP=${WARMUP:-2}
MODES=${MODES:-"keep-alive close"}
MACHINE=${MACHINE:-q35}
CPUS=${CPUS:-2}
MEM=${MEM:-128}
GUEST=192.168.86.2
LINUX_DIR=out/linux-guest

for t in ip wrk curl qemu-system-x86_64; do
	command -v "$t" >/dev/null 2>&1 ||
	    { echo "native-http: skipped: $t is missing (./toro deps)"; exit 0; }
done
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ] ||
    [ ! -f out/native/webserver.elf ]; then
	echo "native-http: skipped: needs root, /dev/net/tun and out/native/webserver.elf"
	exit 0
fi
bash bench/linux/build.sh "$LINUX_DIR" ||
    { echo "native-http: skipped: the Linux guest could not be built"; exit 0; }

# The client namespace holds tap0 (192.168.86.1); the guest is .2.  The
# veth pair bench_netns makes (192.168.85.x) is not used.
bench_netns bn 192.168.85
bench_tap tap0 192.168.86
in_nc() { ip netns exec "$nc" "$@"; }
hz=$(getconf CLK_TCK)

# The QEMU options both guests share.
# shellcheck disable=SC2207
qemu_common=($(toro_qemu_args "$MACHINE" "$CPUS" "$MEM")
    -netdev tap,id=n0,ifname=tap0,script=no,downscript=no,vhost=off
    $(toro_qemu_nic "$MACHINE" n0))
toro_boot=(-kernel "$(toro_qemu_kernel "$MACHINE" out/native/webserver.elf)"
    -append "ip=$GUEST/24 gw=192.168.86.1")
linux_boot=(-kernel "$LINUX_DIR/vmlinuz" -initrd "$LINUX_DIR/initramfs.cpio.gz"
    -append "console=ttyS0 quiet panic=-1 toro.ip=$GUEST/24 toro.gw=192.168.86.1")

# start NAME LOG: boot guest NAME (toro or linux) with its console in
# LOG; sets qpid (QEMU's pid) and up_s (seconds from launch to the first
# answer to /hello).  Fails, printing the console, after 180 s.
start() {
	local -n boot=$1_boot
	local t0 i why="within 180 s"
	rm -f "$tmp/qemu.pid"
	t0=$(now_ns)
	ip netns exec "$nc" timeout 900 qemu-system-x86_64 "${qemu_common[@]}" \
	    "${boot[@]}" -pidfile "$tmp/qemu.pid" </dev/null >"$2" 2>&1 &
	pids=($!)
	for ((i = 0; i < 1800; i++)); do
		[ -s "$tmp/qemu.pid" ] &&
		    in_nc curl -s -m 1 -o /dev/null "http://$GUEST/hello" && break
		kill -0 "${pids[0]}" 2>/dev/null || { why="(QEMU exited)"; i=1800; }
		sleep 0.1
	done
	if [ "$i" -ge 1800 ]; then
		echo "native-http: the $1 guest did not answer on http://$GUEST/hello $why; its console:"
		cat "$2"
		exit 1
	fi
	up_s=$(awk -v t="$(( $(now_ns) - t0 ))" 'BEGIN { printf "%.1f", t / 1e9 }')
	qpid=$(cat "$tmp/qemu.pid")
}
# stop: end the guest; the TAP is free for the next one once QEMU is gone.
stop() {
	kill "$qpid" "${pids[0]}" 2>/dev/null
	wait "${pids[0]}" 2>/dev/null
	while kill -0 "$qpid" 2>/dev/null; do sleep 0.1; done
	pids=()
}

# cpu_ticks: QEMU's utime + stime, in clock ticks (fields 14 and 15 of
# /proc/PID/stat, after the ")" that ends the command name).
cpu_ticks() { sed 's/.*) //' "/proc/$qpid/stat" | awk '{ print $12 + $13 }'; }

# measure MODE: one wrk run against the running guest; prints
# "REQ_PER_S US_PER_REQ" (0 0 when wrk failed).  Errors go to stderr.
measure() {
	local hdr=() out c0 c1 n r
	[ "$1" = close ] && hdr=(-H "Connection: close")
	c0=$(cpu_ticks)
	# shellcheck disable=SC2086
	out=$(in_nc wrk $WRK "${hdr[@]}" "http://$GUEST/hello" 2>&1)
	c1=$(cpu_ticks)
	echo "$out" | grep -E 'Socket errors|Non-2xx' | sed "s|^|# $1: |" >&2
	n=$(echo "$out" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
	r=$(echo "$out" | grep '^Requests/sec' | number)
	if [ -z "$r" ] || [ "${n:-0}" -eq 0 ]; then
		echo "# $1: wrk failed: $out" >&2
		echo "0 0"
		return
	fi
	awk -v r="$r" -v n="$n" -v t=$((c1 - c0)) -v hz="$hz" \
	    'BEGIN { printf "%s %.1f\n", r, t * 1e6 / hz / n }'
}

# run NAME I: boot NAME, warm up, measure each mode into
# $tmp/NAME.MODE ("req/s us/req" per run), stop; one "# run" line.
run() {
	local m v line="# run $2: $1 up in"
	start "$1" "$tmp/$1-$2.console"
	line="$line ${up_s}s"
	in_nc wrk -t2 -c32 -d"${WARMUP}s" "http://$GUEST/hello" >/dev/null 2>&1
	for m in $MODES; do
		v=$(measure "$m")
		echo "$v" >>"$tmp/$1.$m"
		line="$line, $m ${v% *} req/s ${v#* } CPU us/req"
	done
	stop
	echo "$line"
}

start toro "$tmp/toro-0.console"
echo "# toro /hello: $(in_nc curl -s -D - "http://$GUEST/hello" | tr -d '\r' | tr '\n' '|')"
stop
start linux "$tmp/linux-0.console"
echo "# linux /hello: $(in_nc curl -s -D - "http://$GUEST/hello" | tr -d '\r' | tr '\n' '|')"
echo "# linux guest: $(cut -d' ' -f1-4 "$LINUX_DIR/stamp"); console: $(tr -d '\r' <"$tmp/linux-0.console" | grep -m1 'linux-guest: ready')"
stop
for i in $(seq "$RUNS"); do
	run toro "$i"
	run linux "$i"
done
echo "native HTTP, wrk $WRK, /hello, QEMU ${TORO_QEMU_ACCEL:-tcg} $MACHINE, $CPUS CPUs, $MEM MiB, TAP (median of $RUNS):"
for m in $MODES; do
	trps=$(cut -d' ' -f1 "$tmp/toro.$m" | median)
	tcpu=$(cut -d' ' -f2 "$tmp/toro.$m" | median)
	lrps=$(cut -d' ' -f1 "$tmp/linux.$m" | median)
	lcpu=$(cut -d' ' -f2 "$tmp/linux.$m" | median)
	echo "  $m: toro $trps req/s, $tcpu CPU us/req; linux (busybox httpd) $lrps req/s, $lcpu CPU us/req"
	echo "  ratio ($m): toro / linux req/s = $(ratio "$trps" "$lrps") (higher is better), CPU per request = $(ratio "$tcpu" "$lcpu" 3) (lower is better)"
done
