# idle.sh: host CPU used by `ticker` over its run, in the sim and under
# QEMU, against the floor: an empty guest halted for the same time.
. bench/common.sh
. hal/native/qemu.sh
SECS=${IDLE_SECS:-10}
# cpu_pct CMD...: host CPU time of CMD as a percentage of its wall time.
cpu_pct() {
	/usr/bin/python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL,
               stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
wall = time.monotonic() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f" % (100 * (r.ru_utime + r.ru_stime) / wall))
PY
}
sim=$(cpu_pct out/sim/ticker --cpus 2 -- "$SECS")
# shellcheck disable=SC2046
qemu=$(cpu_pct qemu-system-x86_64 $(toro_qemu_args microvm 2 128) \
    -kernel "$(toro_qemu_kernel microvm out/native/ticker.elf)" -append "$SECS")
# shellcheck disable=SC2046
floor=$(cpu_pct timeout "$SECS" qemu-system-x86_64 \
    $(toro_qemu_args microvm 2 128) -kernel out/bench/empty-halt.elf)
echo "idle cost of ticker $SECS on 2 CPUs (% of one host core):"
echo "  sim: $sim% (target < 1: $(verdict "$sim" "<=" 1))"
echo "  qemu TCG: $qemu% (target < 3: $(verdict "$qemu" "<=" 3)); an empty halted guest: $floor%"
echo "ratio: qemu ticker / empty guest = $(ratio "$qemu" "$floor")"
