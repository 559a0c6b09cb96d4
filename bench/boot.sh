# boot.sh: launch-to-exit time of hello (native, -M microvm) against an
# empty PVH guest that exits at once, under the same QEMU, alternating
# runs, with bench/nothing (main returns at once) between them, which
# tells the kernel's boot and exit from hello's own work; and QEMU's
# host CPU time for each (steadier on a loaded host);
# then the kernel's own first instruction to main (loglevel=debug's
# boot phases); then, since a loaded host makes wall times noisy, two
# counts it does not disturb: QEMU's own instructions for one run of
# each (valgrind's callgrind, where installed), and the guest code QEMU's
# TCG translates for the image (-d in_asm,op_opt: the instructions, the
# blocks and TCG's intermediate ops, which its translation cost follows;
# the firmware's code, the same in both runs, is left out).  Under TCG
# always, and under KVM too when /dev/kvm is there and hello boots under
# it (else KVM is "not measurable").  A run that does not end with the
# expected status fails the benchmark.
. bench/common.sh
. hal/native/qemu.sh
RUNS=${BOOT_RUNS:-11}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

# run ACCEL IMAGE [CMDLINE]: boot IMAGE once, console in $tmp/out; true
# when QEMU ended with isa-debug-exit's status for 0.
run() {
	local s=0 args
	args=$(TORO_QEMU_ACCEL=$1 toro_qemu_args microvm 1 64)
	# shellcheck disable=SC2086
	timeout 60 qemu-system-x86_64 $args \
	    -kernel "$(toro_qemu_kernel microvm "$2")" -append "${3:-}" \
	    </dev/null >"$tmp/out" 2>&1 || s=$?
	[ "$(toro_qemu_status "$s" "$tmp/out")" -eq 0 ]
}

# boot_us ACCEL IMAGE: one launch-to-exit time and QEMU's host CPU time
# (user + system, which a loaded host inflates much less), in us, then
# QEMU's exit status.
boot_us() {
	local args
	args=$(TORO_QEMU_ACCEL=$1 toro_qemu_args microvm 1 64)
	# shellcheck disable=SC2086
	python3 -c "$CPU_PY" timeout 60 qemu-system-x86_64 $args \
	    -kernel "$(toro_qemu_kernel microvm "$2")" 2>"$tmp/out"
}
CPU_PY='
import resource, subprocess, sys, time
a = time.monotonic_ns()
r = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL,
    stdout=subprocess.DEVNULL, stderr=sys.stderr)
b = time.monotonic_ns()
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print((b - a) // 1000, int((u.ru_utime + u.ru_stime) * 1e6), r.returncode)
'

# main_us ACCEL: the kernel's first instruction to main, from the boot
# phases loglevel=debug prints ("toro: boot  12.345 ms main ...").
main_us() {
	run "$1" out/native/hello.elf loglevel=debug || return 1
	awk '$1 == "toro:" && $2 == "boot" && $5 == "main" {
		printf "%d\n", $3 * 1000; found = 1 }
	    END { exit !found }' "$tmp/out"
}

# boot_one ACCEL IMAGE FILE: boot_us once into FILE; false unless QEMU
# ended with isa-debug-exit's status for 0, which is 1.
boot_one() {
	boot_us "$1" "$2" >>"$3" && [ "$(tail -1 "$3" | awk '{ print $3 }')" = 1 ]
}

# measure ACCEL LABEL: hello, nothing (main returns at once: the
# kernel's boot and exit alone) and the empty guest, alternating.
measure() {
	local i t=$tmp/t n=$tmp/n e=$tmp/e m=$tmp/m toro none empty r rn
	local main tc ec rc own
	: >"$t" && : >"$n" && : >"$e" && : >"$m"
	for i in $(seq "$RUNS"); do
		if ! boot_one "$1" out/native/hello.elf "$t" ||
		    ! boot_one "$1" out/bench/native/nothing.elf "$n" ||
		    ! boot_one "$1" out/bench/empty-exit.elf "$e" ||
		    ! main_us "$1" >>"$m"; then
			echo "boot on microvm $2: run $i FAILED:"
			sed 's/^/  /' "$tmp/out" | head -20
			status=1
			return
		fi
	done
	toro=$(awk '{ printf "%.1f\n", $1 / 1000 }' "$t" | median)
	none=$(awk '{ printf "%.1f\n", $1 / 1000 }' "$n" | median)
	empty=$(awk '{ printf "%.1f\n", $1 / 1000 }' "$e" | median)
	tc=$(awk '{ printf "%.1f\n", $2 / 1000 }' "$t" | median)
	ec=$(awk '{ printf "%.1f\n", $2 / 1000 }' "$e" | median)
	main=$(awk '{ printf "%.3f\n", $1 / 1000 }' "$m" | median)
	r=$(ratio "$toro" "$empty")
	rn=$(ratio "$none" "$empty")
	rc=$(ratio "$tc" "$ec")
	own=$(awk -v a="$toro" -v b="$none" -v e="$empty" \
	    'BEGIN { printf "%.1f ms, %.1f%% of the empty guest", a - b,
	    (a - b) * 100 / e }')
	echo "boot to exit on microvm $2 (median of $RUNS): hello $toro ms," \
	    "nothing (main returns at once) $none ms, empty guest $empty ms"
	echo "ratio: hello / empty = $r (target <= 1.05: $(verdict "$r" "<=" 1.05))"
	echo "  the kernel's boot and exit alone: nothing / empty = $rn;" \
	    "hello's own work (hello - nothing): $own"
	echo "QEMU's host CPU time (median): hello $tc ms, empty guest $ec ms," \
	    "ratio $rc"
	echo "first instruction to main $2 (median of $RUNS): $main ms"
	[ "$1" = kvm ] &&
	    echo "  (target under KVM <= 1 ms: $(verdict "$main" "<=" 1))"
	return 0
}

# QEMU's instructions for one run of IMAGE under callgrind, in millions.
qemu_insns() {
	local args
	args=$(toro_qemu_args microvm 1 64)
	# shellcheck disable=SC2086
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" \
	    qemu-system-x86_64 $args -kernel "$(toro_qemu_kernel microvm "$1")" \
	    </dev/null 2>&1 >/dev/null |
	    awk '/Collected :/ { printf "%.1f\n", $NF / 1e6 }'
}

# translated IMAGE: "INSNS BLOCKS OPS" of the code TCG translates in one
# run of IMAGE, from the load address (1 MiB) up to the ROM below 4 GiB.
translated() {
	local args
	args=$(toro_qemu_args microvm 1 64)
	# shellcheck disable=SC2086
	qemu-system-x86_64 $args -kernel "$(toro_qemu_kernel microvm "$1")" \
	    -d in_asm,op_opt,nochain -D "$tmp/tcg" </dev/null >/dev/null 2>&1
	python3 -c "$TCG_PY" "$tmp/tcg"
}
TCG_PY='
import re, sys
insns = blocks = ops = 0
mine = False
state = None
for line in open(sys.argv[1]):
    if line.startswith("IN:"):
        state, first = "in", True
    elif line.startswith("OP"):
        state = "op"
    elif state == "in" and line.startswith("0x"):
        if first:
            a = int(line.split(":")[0], 16)
            mine, first = 0x100000 <= a < 0xfe000000, False
            blocks += mine
        insns += mine
    elif state == "op" and mine and re.match(r" [a-z]", line):
        ops += 1
print(insns, blocks, ops)
'

measure tcg "(TCG)"
if command -v valgrind >/dev/null; then
	t=$(qemu_insns out/native/hello.elf)
	n=$(qemu_insns out/bench/native/nothing.elf)
	e=$(qemu_insns out/bench/empty-exit.elf)
	echo "QEMU's instructions (callgrind, one run each): hello ${t}M," \
	    "nothing ${n}M, empty guest ${e}M; ratios hello $(ratio "$t" \
	    "$e"), nothing $(ratio "$n" "$e")"
else
	echo "QEMU's instructions: not measured (no valgrind)"
fi
read -r ti tb to <<<"$(translated out/native/hello.elf)"
read -r ni nb no <<<"$(translated out/bench/native/nothing.elf)"
echo "translated by TCG, the kernel and hello: $ti instructions," \
    "$tb blocks, $to TCG ops; nothing: $ni, $nb, $no (the empty guest:" \
    "$(translated out/bench/empty-exit.elf | awk '{ print $1 }')" \
    "instructions)"
if [ ! -w /dev/kvm ]; then
	echo "KVM: not measurable (no /dev/kvm)"
elif ! run kvm out/native/hello.elf; then
	echo "KVM: not measurable (hello does not boot under this KVM):"
	sed 's/^/  /' "$tmp/out" | head -5
else
	measure kvm "(KVM)"
fi
exit $status
