#!/usr/bin/env bash
# run.sh: the seed's experiment and its companions, one command for the
# whole report (`./toro bench seed` runs it after building):
#
#	bash bench/seed/run.sh                  # full run, about 15 minutes
#	QUICK=1 bash bench/seed/run.sh          # shorter, for development
#	STEPS="boot footprint" bash bench/seed/run.sh   # some parts only
#
# It writes bench/results/DATE/ (OUT=DIR to choose): report.md, its PNG
# plots, and raw/ with every measurement the report is computed from.
# Three guests serve HTTP, each with CPUS (2) CPUs and MEM (512) MiB,
# 256 MiB per CPU as in the seed, on a TAP interface in a network
# namespace made here, at 192.168.93.2:
#  - native: out/native/webserver.elf under QEMU (TCG, or KVM when
#    /dev/kvm is writable), -M MACHINE (q35: the Linux guest's default);
#  - linux: Debian's kernel and a busybox initramfs running `busybox
#    httpd` (bench/linux/build.sh, into LINUX_DIR), same QEMU options;
#  - sim: out/sim/webserver, the simulator, a Linux process.
# The steps (STEPS, default all of them, in this order):
#  burst      the seed's experiment: BURSTS bursts of N requests every
#             PERIOD seconds, host CPU of the guest's process every
#             100 ms; then the same with N2 requests
#  idle       the idle= policies: idle host CPU and request latency
#  boot       launch to first output and to exit, BOOT_RUNS runs each
#  footprint  image sizes, and the smallest -m that boots and serves
# Then plot.py draws the PNGs and report.py writes report.md; a full run
# (not QUICK, all steps) also rewrites the marked block of README.md
# (readme.py).  Needs root and /dev/net/tun (TAP); a guest that cannot
# be built or does not answer is reported as such, not measured.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
. bench/common.sh
. hal/native/qemu.sh
PY=/usr/bin/python3	# Debian's, with matplotlib
SEED=bench/seed

QUICK=${QUICK:-0}
STEPS=${STEPS:-burst idle boot footprint}
MACHINE=${MACHINE:-q35}
CPUS=${CPUS:-2}
MEM=${MEM:-512}
LINUX_DIR=${LINUX_DIR:-out/linux-guest}
if [ "$QUICK" = 1 ]; then
	N=${N:-300} N2=${N2:-1000} PERIOD=${PERIOD:-6} BURSTS=${BURSTS:-2}
	IDLE_SECS=${IDLE_SECS:-3} LAT_COUNT=${LAT_COUNT:-100}
	BOOT_RUNS=${BOOT_RUNS:-3}
else
	# The Linux guest serves 250 to 400 requests/s under TCG here: a
	# burst of N2 takes it 8 to 12 s of the PERIOD.
	N=${N:-1000} N2=${N2:-3000} PERIOD=${PERIOD:-15} BURSTS=${BURSTS:-3}
	IDLE_SECS=${IDLE_SECS:-10} LAT_COUNT=${LAT_COUNT:-300}
	BOOT_RUNS=${BOOT_RUNS:-11}
fi
LAT_GAP_MS=${LAT_GAP_MS:-15}
CONNS=${CONNS:-8}	# ab's concurrency in a burst
POLICIES=${POLICIES:-"halt poll:50 poll:1000 mwait"}
OUT=${OUT:-bench/results/$(date +%F)$([ "$QUICK" = 1 ] && echo -quick)}
NET=192.168.93
GUEST=$NET.2

say() { echo "seed: $*" >&2; }
die() { say "$*"; exit 1; }
for t in ip curl ab readelf qemu-system-x86_64 "$PY"; do
	command -v "$t" >/dev/null 2>&1 || die "$t is missing (./toro deps)"
done
"$PY" -c 'import matplotlib' 2>/dev/null ||
    die "$PY has no matplotlib (apt-get install python3-matplotlib)"
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ]; then
	die "needs root and /dev/net/tun (the guests serve on a TAP interface)"
fi
for f in out/native/webserver.elf out/native/hello.elf out/sim/webserver \
    out/sim/hello out/bench/empty-exit.elf; do
	[ -f "$f" ] || die "$f is missing (./toro bench seed builds it)"
done

accel=tcg
[ -w /dev/kvm ] && accel=kvm
export TORO_QEMU_ACCEL=$accel
started=$(date +%s)
rm -rf "$OUT"
mkdir -p "$OUT/raw"
raw=$OUT/raw

# The Linux guest: built (and cached) by bench/linux/build.sh when the
# tree has it; otherwise raw/linux.missing says why and its rows say so.
linux_ok=0
if [ ! -f bench/linux/build.sh ]; then
	echo "this tree has no bench/linux/build.sh" >"$raw/linux.missing"
elif bash bench/linux/build.sh "$LINUX_DIR" >"$raw/linux-build.log" 2>&1; then
	linux_ok=1
	cp "$LINUX_DIR/stamp" "$raw/linux.stamp" 2>/dev/null
else
	echo "bench/linux/build.sh failed (see raw/linux-build.log)" \
	    >"$raw/linux.missing"
fi
[ "$linux_ok" = 1 ] || say "no Linux guest: $(cat "$raw/linux.missing")"

# The machine and the run, for the report's header.
{
	echo "date=$(date +%F)"
	echo "command=$([ "$QUICK" = 1 ] && echo "QUICK=1 ")${SEED_COMMAND:-bash bench/seed/run.sh}"
	echo "quick=$QUICK"
	echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
	echo "nproc=$(nproc)"
	echo "mem_gib=$(awk '/^MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)"
	echo "kernel=$(uname -sr)"
	echo "os=$(. /etc/os-release && echo "$PRETTY_NAME")"
	echo "qemu=$(qemu-system-x86_64 --version | head -1 | sed 's/QEMU emulator version //')"
	echo "accel=$accel"
	echo "machine=$MACHINE"
	echo "cpus=$CPUS"
	echo "mem=$MEM"
	echo "n=$N"
	echo "n2=$N2"
	echo "period=$PERIOD"
	echo "bursts=$BURSTS"
	echo "conns=$CONNS"
	echo "idle_secs=$IDLE_SECS"
	echo "lat_count=$LAT_COUNT"
	echo "lat_gap_ms=$LAT_GAP_MS"
	echo "boot_runs=$BOOT_RUNS"
	echo "commit=$(git rev-parse --short HEAD 2>/dev/null)"
	echo "linux=$(cut -d' ' -f1-4 "$raw/linux.stamp" 2>/dev/null)"
} >"$raw/meta.env"

# The client namespace $nc holds tap0 ($NET.1); the guest is $GUEST.
bench_netns sd 192.168.92
bench_tap tap0 "$NET"
in_nc() { ip netns exec "$nc" "$@"; }

# guest_cmd KIND [IDLE] [QEMU OPTION...]: the command line of guest KIND
# (native, linux or sim) serving HTTP at $GUEST, into the array $cmd;
# IDLE is the kernel's idle= policy (none: the default).
guest_cmd() {
	local kind=$1 idle=${2:+idle=$2}
	shift 2
	# shellcheck disable=SC2207
	# shellcheck disable=SC2054 # commas inside -netdev's value
	local q=(qemu-system-x86_64 $(toro_qemu_args "$MACHINE" "$CPUS" "$MEM")
	    -netdev tap,id=n0,ifname=tap0,script=no,downscript=no,vhost=off
	    $(toro_qemu_nic "$MACHINE" n0) "$@")
	case $kind in
	native)
		cmd=("${q[@]}" -kernel
		    "$(toro_qemu_kernel "$MACHINE" out/native/webserver.elf)"
		    -append "ip=$GUEST/24 gw=$NET.1 $idle") ;;
	linux)
		cmd=("${q[@]}" -kernel "$LINUX_DIR/vmlinuz"
		    -initrd "$LINUX_DIR/initramfs.cpio.gz" -append
		    "console=ttyS0 quiet panic=-1 toro.ip=$GUEST/24 toro.gw=$NET.1") ;;
	sim)
		cmd=(out/sim/webserver --cpus "$CPUS" --mem "$MEM"
		    --net tap:tap0 -- "ip=$GUEST/24" "gw=$NET.1" ${idle:+"$idle"}) ;;
	esac
}

# guest_start LOG: start $cmd in $nc with its console in LOG and wait
# until it answers /hello (180 s at most); sets gpid (the QEMU or sim
# process: `ip netns exec` execs it) and up_ms.  Fails, saying why in
# LOG, when the guest exits or does not answer.
guest_start() {
	local t0 end=$((SECONDS + 180))
	t0=$(now_ns)
	# Not through in_nc: $! must be the guest itself.
	ip netns exec "$nc" "${cmd[@]}" </dev/null >"$1" 2>&1 &
	gpid=$!
	pids=("$gpid")
	until in_nc curl -s -m 1 -o /dev/null "http://$GUEST/hello"; do
		if ! kill -0 "$gpid" 2>/dev/null; then
			echo "seed: the guest exited before it answered" >>"$1"
			return 1
		fi
		if [ "$SECONDS" -ge "$end" ]; then
			echo "seed: the guest did not answer within 180 s" >>"$1"
			guest_stop
			return 1
		fi
		sleep 0.2
	done
	up_ms=$((($(now_ns) - t0) / 1000000))
}
# guest_stop: end the guest; the TAP is free again once it is gone.
guest_stop() {
	kill "$gpid" 2>/dev/null
	wait "$gpid" 2>/dev/null
	pids=()
}
# warm: some requests first, so that TCG has translated the server's
# code and nothing measured waits for it.
warm() {
	in_nc "$PY" $SEED/burst.py "$GUEST" 200 1 1 /dev/null 0 4 2>/dev/null
}
# guest_failed NAME KIND LOG: record that guest KIND did not start.
guest_failed() {
	{ echo "the $2 guest did not serve /hello; the end of its console:"
	  tail -5 "$3"; } >"$raw/$1.failed"
	say "$1: the $2 guest failed: $(tail -1 "$3")"
}
# kinds: the guests to run, the Linux one only when it was built.
kinds() {
	echo native
	if [ "$linux_ok" = 1 ]; then echo linux; else
		cp "$raw/linux.missing" "$raw/$1-linux.failed"; fi
	echo sim
}

# The seed's experiment: for each guest, idle, then BURSTS bursts of N
# requests PERIOD seconds apart, the host CPU of its process sampled
# every 100 ms from 2 s before the first burst until PERIOD after the
# last one started; then the same with N2 requests on the same boot.
step_burst() {
	local kind n secs
	for kind in $(kinds burst); do
		guest_cmd "$kind" ""
		if ! guest_start "$raw/burst-$kind.console"; then
			guest_failed "burst-$kind" "$kind" "$raw/burst-$kind.console"
			continue
		fi
		echo "$up_ms" >"$raw/burst-$kind.up_ms"
		in_nc curl -s -i "http://$GUEST/hello" >"$raw/burst-$kind.hello"
		warm
		sleep 2
		for n in "$N" "$N2"; do
			say "burst: $kind, $BURSTS x $n requests every $PERIOD s"
			secs=$((2 + BURSTS * PERIOD))
			"$PY" $SEED/sample.py "$gpid" "$secs" \
			    "$raw/burst-$kind-$n.cpu.csv" &
			local spid=$!
			in_nc "$PY" $SEED/burst.py "$GUEST" "$n" "$PERIOD" \
			    "$BURSTS" "$raw/burst-$kind-$n.bursts.csv" 2 "$CONNS" \
			    2>>"$raw/burst-$kind.client.log"
			wait "$spid"
		done
		guest_stop
	done
}

# idle= policies: for each policy, native and sim (and the Linux guest
# once, as the reference): host CPU while idle for IDLE_SECS, then
# LAT_COUNT requests LAT_GAP_MS apart, over one keep-alive connection
# (not Linux: busybox httpd closes each one) and with a connection each,
# the host CPU sampled during each series.  Native runs with -cpu max
# under TCG so that MONITOR/MWAIT exists for idle=mwait.
step_idle() {
	local kind pol
	for kind in native sim; do
		for pol in $POLICIES; do
			idle_one "$kind" "$pol"
		done
	done
	if [ "$linux_ok" = 1 ]; then
		idle_one linux default
	else
		cp "$raw/linux.missing" "$raw/idle-linux-default.failed"
	fi
}
# idle_one KIND POLICY: one row of the idle step, into raw/idle-KIND-POLICY.*
idle_one() {
	local kind=$1 pol=$2 name=idle-$1-${2/:/} mode spid cpuopt=()
	[ "$kind" = native ] && [ "$accel" = tcg ] && cpuopt=(-cpu max)
	guest_cmd "$kind" "${pol#default}" "${cpuopt[@]}"
	say "idle: $kind, idle=$pol"
	if ! guest_start "$raw/$name.console"; then
		guest_failed "$name" "$kind" "$raw/$name.console"
		return
	fi
	warm
	sleep 2
	"$PY" $SEED/sample.py "$gpid" "$IDLE_SECS" "$raw/$name.idle.csv"
	for mode in keepalive close; do
		[ "$kind" = linux ] && [ "$mode" = keepalive ] && continue
		"$PY" $SEED/sample.py "$gpid" 3600 "$raw/$name.$mode.cpu.csv" &
		spid=$!
		in_nc "$PY" $SEED/latency.py "$GUEST" "$LAT_COUNT" \
		    "$LAT_GAP_MS" "$raw/$name.$mode.json" "$mode" >/dev/null
		kill "$spid"
		wait "$spid" 2>/dev/null
	done
	# What the kernel said of its idle policy (the sim on mwait).
	grep -i 'idle' "$raw/$name.console" >"$raw/$name.note"
	guest_stop
}

# Boot time: launch to the first line of the application and to exit,
# BOOT_RUNS rounds, the rows interleaved within each round.  The same
# CPUS and MEM for all; no NIC.
step_boot() {
	local spec=$raw/boot.spec m
	# row NAME PATTERN CMD...: one row of the spec (tab-separated).
	row() {
		local IFS=$'\t'
		echo "$*" >>"$spec"
	}
	: >"$spec"
	for m in microvm q35 pc; do
		# shellcheck disable=SC2046
		row "hello-$m" "Hello from CPU" qemu-system-x86_64 \
		    $(toro_qemu_args "$m" "$CPUS" "$MEM") \
		    -kernel "$(toro_qemu_kernel "$m" out/native/hello.elf)"
	done
	for m in microvm q35; do
		# shellcheck disable=SC2046
		row "empty-$m" "" qemu-system-x86_64 \
		    $(toro_qemu_args "$m" "$CPUS" "$MEM") \
		    -kernel out/bench/empty-exit.elf
	done
	if [ "$linux_ok" = 1 ]; then
		# shellcheck disable=SC2046
		row "linux-$MACHINE" "linux-guest: hello" qemu-system-x86_64 \
		    $(toro_qemu_args "$MACHINE" "$CPUS" "$MEM") \
		    -kernel "$LINUX_DIR/vmlinuz" \
		    -initrd "$LINUX_DIR/initramfs.cpio.gz" \
		    -append "console=ttyS0 quiet panic=-1 toro.mode=exit"
	else
		cp "$raw/linux.missing" "$raw/boot-linux.failed"
	fi
	row sim "Hello from CPU" out/sim/hello --cpus "$CPUS" --mem "$MEM" \
	    --net none
	say "boot: $BOOT_RUNS rounds"
	"$PY" $SEED/boottime.py "$BOOT_RUNS" "$spec" "$raw/boot.json"
}

# Footprint: each example's image (file, and text + data + bss as
# loaded), the Linux guest's kernel and initramfs; and the smallest -m
# (MiB) with which the native webserver and the Linux guest boot and
# serve /hello, bisected.
step_footprint() {
	local f kind
	{
		echo "name,file_bytes,loaded_bytes"
		for f in out/native/*.elf; do
			case $f in *.pvh.elf) continue ;; esac
			# Loaded: the memory sizes (hex) of the PT_LOAD segments.
			local m loaded=0
			for m in $(readelf -lW "$f" | awk '$1 == "LOAD" { print $6 }'); do
				loaded=$((loaded + m))
			done
			echo "$(basename "$f" .elf),$(stat -c %s "$f"),$loaded"
		done
		if [ "$linux_ok" = 1 ]; then
			echo "linux-vmlinuz,$(stat -c %s "$LINUX_DIR/vmlinuz"),"
			echo "linux-initramfs,$(stat -c %s "$LINUX_DIR/initramfs.cpio.gz"),"
		fi
	} >"$raw/sizes.csv"
	for kind in native linux; do
		if [ "$kind" = linux ] && [ "$linux_ok" != 1 ]; then
			cp "$raw/linux.missing" "$raw/minmem-linux.failed"
			continue
		fi
		say "footprint: the smallest -m for $kind"
		guest_cmd "$kind" ""
		# The -m value becomes {mem} for minmem.py.
		local i
		for i in "${!cmd[@]}"; do
			[ "${cmd[$i]}" = -m ] && cmd[i+1]='{mem}'
		done
		in_nc "$PY" $SEED/minmem.py "$GUEST" "$MEM" \
		    "$raw/minmem-$kind.json" -- "${cmd[@]}" \
		    2>"$raw/minmem-$kind.log"
	done
}

for s in $STEPS; do
	case $s in
	burst | idle | boot | footprint) "step_$s" ;;
	*) die "no step '$s' (burst, idle, boot, footprint)" ;;
	esac
done
echo "seconds=$(($(date +%s) - started))" >>"$raw/meta.env"
"$PY" $SEED/plot.py "$OUT" && "$PY" $SEED/report.py "$OUT" ||
    die "the report could not be made"
if [ "$QUICK" != 1 ] && [ "$STEPS" = "burst idle boot footprint" ]; then
	"$PY" $SEED/readme.py "$OUT" README.md
fi
say "report: $OUT/report.md ($(($(date +%s) - started)) s)"
