#!/bin/sh
# prelink.sh: the simulator's half of linking a C environment program.
#
# usage: libc/prelink.sh OUTPUT.o HAL-LIBRARY KERNEL-LIBRARY INPUT...
#
# Links the program's objects with Toro's C library, musl and the kernel
# (the INPUTs: objects, archives, -L and -l flags) into one relocatable
# object, with the kernel's call of main() going to the C library
# (--wrap=main).  It may still need only the HAL: any other undefined
# symbol is a function or variable Toro does not have, and fails the
# link here with its name, as the native link fails.  Then every symbol
# is made local except the kernel's that HAL-LIBRARY (the simulator,
# which uses the host's C library) calls, and main, which the host's
# start-up code names; so nothing of the program's or the C library's
# can meet a host symbol.  Local symbols stay in the symbol table, for
# reports and gdb.
#
# The program's constructors and destructors (.init_array, .fini_array)
# move to sections of Toro's own, toro_init_array and toro_fini_array,
# which the host's start-up code does not know: the C library runs them
# on the kernel's main thread (libc/start.c), as in the native image
# (hal/native/kernel.ld).
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
trap 'rm -f "$tmp" "$out.keep" "$out.undef" "$out.hal" "$out.ld"' EXIT

# The kernel's side of the HAL that the simulator calls (kern_boot,
# sched_trap, lib_symbolize...): whatever HAL-LIBRARY leaves undefined
# and KERNEL-LIBRARY defines (never the C library's names, which the
# simulator takes from the host).  Pulled in, and the only symbols left
# global with main.
nm -u "$hal" | awk 'NF == 2 { print $2 }' | sort -u >"$out.undef"
nm -g --defined-only "$kernel" 2>/dev/null | awk 'NF == 3 { print $3 }' |
    sort -u | comm -12 - "$out.undef" >"$out.keep"
echo main >>"$out.keep"
pull=$(sed 's/^/-u /' "$out.keep")

# Constructors and destructors, those with a priority first, in
# sections the host's start-up code does not run (INSERT: the script
# adds to ld's own).
cat >"$out.ld" <<'EOF'
SECTIONS
{
	toro_init_array : {
		KEEP(*(SORT_BY_INIT_PRIORITY(.init_array.*)))
		KEEP(*(.init_array))
	}
	toro_fini_array : {
		KEEP(*(SORT_BY_INIT_PRIORITY(.fini_array.*)))
		KEEP(*(.fini_array))
	}
}
INSERT AFTER .data;
EOF
# musl's exit() would run the destructors between these bounds, which
# only a final link defines: there, they would be the host program's.
# Empty: start.c runs toro_fini_array instead.
# shellcheck disable=SC2086
${LD:-ld} -r -o "$tmp" --wrap=main $pull \
    --defsym=__fini_array_start=0 --defsym=__fini_array_end=0 \
    -T "$out.ld" --start-group "$@" "$kernel" --end-group
# Thread-local variables are reached through %fs, which is the host's
# thread's in the simulator: refused, as the native link refuses them.
if ${OBJDUMP:-objdump} -h "$tmp" | awk '$2 ~ /^\.t(data|bss)/ { f = 1 }
    END { exit !f }'; then
	echo "$out: thread-local variables (__thread) are not supported:" \
	    "use pthread_key_create" >&2
	exit 1
fi
# The old forms (.ctors, .dtors) and .preinit_array would escape that.
old=$(${OBJDUMP:-objdump} -h "$tmp" | awk '
	$2 ~ /^\.(ctors|dtors|preinit_array|init_array|fini_array)/ {
		print $2 }')
if [ -n "$old" ]; then
	echo "$out: constructor sections Toro does not run:" $old >&2
	exit 1
fi

# What the kernel asks of the platform (hal_*), the public functions
# the HAL itself provides (toro_try_save), the symbol table that
# symtab.sh adds at the final link, the bounds of the constructors'
# sections, which the final link defines, the host's sanitizer runtime
# (the builds of tests/sanit: ASan, UBSan, TSan) and the linker's
# GOT may stay undefined.
nm -g --defined-only "$hal" 2>/dev/null |
    awk 'NF == 3 && $3 ~ /^toro_/ { print $3 }' | sort -u >"$out.hal"
nm -u "$tmp" | awk '{ print $NF }' | grep -v -E \
    '^(hal_[A-Za-z0-9_]+|lib_symtab|_GLOBAL_OFFSET_TABLE_)$' |
    grep -v -E '^__(start|stop)_toro_(init|fini)_array$' |
    grep -v -E '^__(asan|ubsan|tsan|sanitizer)_' |
    grep -v -x -F -f "$out.hal" >"$out.undef" || true
if [ -s "$out.undef" ]; then
	# shellcheck disable=SC2046
	echo "$out: Toro does not provide:" $(cat "$out.undef") >&2
	exit 1
fi

${OBJCOPY:-objcopy} --keep-global-symbols="$out.keep" "$tmp" "$out"
