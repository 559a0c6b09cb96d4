# boot.sh: launch-to-exit time of hello (native, -M microvm, QEMU TCG or
# KVM when /dev/kvm exists) vs an empty PVH guest that exits at once.
. bench/common.sh
. hal/native/qemu.sh
RUNS=${BOOT_RUNS:-11}
accel=()
[ -w /dev/kvm ] && accel=(-enable-kvm -cpu host)
# boot_ms IMAGE: one launch-to-exit time in ms.
boot_ms() {
	local a b
	a=$(now_ns)
	# shellcheck disable=SC2046
	qemu-system-x86_64 $(toro_qemu_args microvm 1 64) "${accel[@]}" \
	    -kernel "$(toro_qemu_kernel microvm "$1")" </dev/null >/dev/null 2>&1
	b=$(now_ns)
	echo $(((b - a) / 1000))
}
t=$(mktemp) e=$(mktemp)
for i in $(seq "$RUNS"); do
	boot_ms out/native/hello.elf >>"$t"
	boot_ms out/bench/empty-exit.elf >>"$e"
done
toro=$(awk '{ printf "%.1f\n", $1 / 1000 }' "$t" | median)
empty=$(awk '{ printf "%.1f\n", $1 / 1000 }' "$e" | median)
r=$(ratio "$toro" "$empty")
echo "boot to exit on microvm ${accel[*]:-(TCG)} (median of $RUNS): hello $toro ms, empty guest $empty ms"
echo "ratio: hello / empty = $r (target <= 1.2: $(verdict "$r" "<=" 1.2))"
rm -f "$t" "$e"
