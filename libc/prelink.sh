#!/bin/sh
# prelink.sh: the simulator's half of linking a C environment program.
#
# usage: libc/prelink.sh OUTPUT.o HAL-LIBRARY KERNEL-LIBRARY INPUT...
#
# Links the program's objects with Toro's C library, musl and the kernel
# (the INPUTs, objects and archives) into one relocatable object, with
# the kernel's call of main() going to the C library (--wrap=main).  It
# may still need only the HAL: any other undefined symbol is a function
# or variable Toro does not have, and fails the link here with its name,
# as the native link fails.  Then every symbol is made local except the
# kernel's that HAL-LIBRARY (the simulator, which uses the host's C
# library) calls, and main, which the host's start-up code names; so
# nothing of the program's or the C library's can meet a host symbol.
set -eu

if [ $# -lt 4 ]; then
	echo "usage: $0 OUTPUT.o HAL-LIBRARY KERNEL-LIBRARY INPUT..." >&2
	exit 2
fi
out=$1
hal=$2
kernel=$3
shift 3
tmp=$out.tmp
trap 'rm -f "$tmp" "$out.keep" "$out.undef"' EXIT

# The kernel's side of the HAL that the simulator calls (kern_boot,
# sched_trap, lib_symbolize...): whatever HAL-LIBRARY leaves undefined
# and KERNEL-LIBRARY defines (never the C library's names, which the
# simulator takes from the host).  Pulled in, and the only symbols left global
# with main.
nm -u "$hal" | awk 'NF == 2 { print $2 }' | sort -u >"$out.undef"
nm -g --defined-only "$kernel" 2>/dev/null | awk 'NF == 3 { print $3 }' |
    sort -u | comm -12 - "$out.undef" >"$out.keep"
echo main >>"$out.keep"
pull=$(sed 's/^/-u /' "$out.keep")

# musl's exit() runs the destructors between these bounds, which only a
# final link defines: there, they would be the host program's.  Empty.
# shellcheck disable=SC2086
${LD:-ld} -r -o "$tmp" --wrap=main $pull \
    --defsym=__fini_array_start=0 --defsym=__fini_array_end=0 \
    --start-group "$@" "$kernel" --end-group

# What the kernel asks of the platform (hal_*), the symbol table that
# symtab.sh adds at the final link, and the linker's GOT may stay
# undefined.
nm -u "$tmp" | awk '{ print $NF }' | grep -v -E \
    '^(hal_[A-Za-z0-9_]+|lib_symtab|_GLOBAL_OFFSET_TABLE_)$' \
    >"$out.undef" || true
if [ -s "$out.undef" ]; then
	echo "$out: Toro does not provide:" $(cat "$out.undef") >&2
	exit 1
fi

${OBJCOPY:-objcopy} --keep-global-symbols="$out.keep" "$tmp" "$out"
