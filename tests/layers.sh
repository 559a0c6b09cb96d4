#!/bin/bash
# layers.sh: core/ is a stack of layers, and this check holds it so.
#
# Bottom to top (the one place the order is written; the README's
# layout section describes it):
#
#   lib    formatting, console output, panic, symbols, error names,
#          command line, lock-free queue, spin locks
#   mem    pages, per-CPU heaps
#   sched  threads, mailboxes, exceptions, watchdog, the cross-CPU call
#   net fs side by side: neither includes the other
#   kern   boot, shutdown, toro_close, the wiring of the layers
#
# A file of core/LAYER/ includes only headers of its own layer and of
# the layers below, the public headers (include/toro/) of those layers,
# hal/hal.h and the compiler's stdint.h, stddef.h, stdarg.h, stdbool.h.
# Never an OS or C library header, never a platform's (hal/native,
# hal/sim, hal/fake, hal/x86_64, sim/).  Also: no file of core/ over 600
# lines, no function of core/ over 80 (its body, between the braces at
# the start of a line, as style(9) puts them).  The same order holds
# for calls: no object of the built core library (nm) uses a symbol
# that a layer above or beside its own defines.
#
# Usage: layers.sh (TAP, the suite's case: the tree at $srcdir, then the
# check itself on scratch copies with a deliberate fault each), or
# layers.sh --scan ROOT (the violations in ROOT, one a line; exit 1 if
# any).
: "${srcdir:=.}"

# The stack, bottom first; layers that share a rank sit side by side.
RANKS="lib:0 mem:1 sched:2 net:3 fs:3 kern:4"
# Which layer each public header belongs to (what implements it).
PUBLIC="errno:lib console:lib mem:mem thread:sched except:sched
	mbox:sched socket:net file:fs toro:kern"
COMPILER="stdint.h stddef.h stdarg.h stdbool.h"
FILE_MAX=600
FUNC_MAX=80
INCLUDE='^[[:space:]]*#[[:space:]]*include[[:space:]]*([<"][^>"]+[>"])'

declare -A RANK OWNER
for p in $RANKS; do RANK[${p%%:*}]=${p#*:}; done
for p in $PUBLIC; do OWNER[${p%%:*}]=${p#*:}; done

# may_use LAYER TARGET: whether LAYER may include a header of TARGET.
may_use() {
	local r=${RANK[$1]} t=${RANK[$2]-}
	[ -n "$t" ] && { [ "$1" = "$2" ] || [ "$t" -lt "$r" ]; }
}

# check_include FILE LAYER HEADER: a message when the include is wrong.
check_include() {
	local f=$1 layer=$2 h=$3 target
	case $h in
	\<*\>)
		h=${h#<}
		h=${h%>}
		case " $COMPILER " in
		*" $h "*) ;;
		*) echo "os: $f: includes <$h>, an OS or C library header" ;;
		esac
		return
		;;
	esac
	h=${h#\"}
	h=${h%\"}
	case $h in
	hal/hal.h) ;;
	hal/* | sim/*) echo "platform: $f: includes \"$h\", a platform header" ;;
	core/*/*)
		target=${h#core/}
		target=${target%%/*}
		if [ -z "${RANK[$target]-}" ]; then
			echo "layer: $f: includes \"$h\" of no known layer"
		elif ! may_use "$layer" "$target"; then
			echo "layer: $f: $layer includes \"$h\" ($target is not below it)"
		fi
		;;
	toro/*.h)
		target=${h#toro/}
		target=${OWNER[${target%.h}]-}
		if [ -z "$target" ]; then
			echo "layer: $f: includes \"$h\", a public header of no known layer"
		elif ! may_use "$layer" "$target"; then
			echo "layer: $f: $layer includes \"$h\" ($target's, not below it)"
		fi
		;;
	*) echo "os: $f: includes \"$h\", not a header of the core" ;;
	esac
}

# scan ROOT: every violation in ROOT/core, one a line.
scan() {
	local root=$1 f rel layer line h
	[ -d "$root/core" ] || { echo "layer: $root/core: no such folder"; return; }
	while IFS= read -r f; do
		rel=${f#"$root"/}
		layer=${rel#core/}
		layer=${layer%%/*}
		if [ -z "${RANK[$layer]-}" ]; then
			echo "layer: $rel: in core/$layer, which is no layer"
			continue
		fi
		while IFS= read -r line; do
			if [[ $line =~ $INCLUDE ]]; then
				h=${BASH_REMATCH[1]}
			else
				echo "layer: $rel: an include the check cannot read: $line"
				continue
			fi
			check_include "$rel" "$layer" "$h"
		done < <(grep -E '^[[:space:]]*#[[:space:]]*include' "$f")
		line=$(wc -l <"$f")
		[ "$line" -le $FILE_MAX ] ||
		    echo "size: $rel: $line lines (at most $FILE_MAX)"
		case $f in
		*.c) awk -v f="$rel" -v max=$FUNC_MAX '
			/^[A-Za-z_][A-Za-z0-9_]*\(/ { name = $0; sub(/\(.*/, "", name) }
			/^\{/ { start = NR }
			/^\}/ && start {
				n = NR - start - 1
				if (n > max)
					printf "function: %s: %s() is %d lines (at most %d)\n", f, name, n, max
				start = 0
			}' "$f" ;;
		esac
	done < <(find "$root/core" -type f \( -name '*.c' -o -name '*.h' \
	    -o -name '*.S' \) | LC_ALL=C sort)
}

# link_scan: from `nm -A` of a core library on stdin, every call from
# an object into a layer above or beside its own (what includes cannot
# show: a declaration written by hand, a public call of a higher layer).
link_scan() {
	local f b map=
	while IFS= read -r f; do
		b=${f##*/}
		f=${f#core/}
		map="$map ${b%.c}:${f%%/*}"
	done < <(cd "$srcdir" && find core -name '*.c')
	awk -v map="$map" -v ranks="$RANKS" '
	BEGIN {
		n = split(map, m, " ")
		for (i = 1; i <= n; i++) { split(m[i], p, ":"); layer[p[1]] = p[2] }
		n = split(ranks, m, " ")
		for (i = 1; i <= n; i++) { split(m[i], p, ":"); rank[p[1]] = p[2] }
	}
	{
		split($0, part, ":")
		obj = part[2]
		sub(/^.*-/, "", obj)
		sub(/\.o$/, "", obj)
		k = split(part[3], w, " ")
		if (k == 2 && w[1] == "U")
			use[obj, w[2]] = 1
		else if (k == 3 && w[2] ~ /^[TDBRCVW]$/)
			def[w[3]] = obj
	}
	END {
		for (key in use) {
			split(key, u, SUBSEP)
			if (!(u[2] in def))
				continue
			from = layer[u[1]]; to = layer[def[u[2]]]
			if (from == "" || to == "" || from == to)
				continue
			if (rank[to] >= rank[from])
				printf "link: %s (%s) calls %s of %s (%s)\n", u[1], from, u[2], def[u[2]], to
		}
	}' | LC_ALL=C sort
}

if [ "${1-}" = --scan ]; then
	out=$(scan "${2:?usage: layers.sh --scan ROOT}")
	[ -z "$out" ] && exit 0
	printf '%s\n' "$out"
	exit 1
fi

. "$srcdir/tests/tap.sh"
plan 13

found=$(mktemp)
scratch=$(mktemp -d)
trap 'rm -rf "$found" "$scratch"' EXIT
scan "$srcdir" >"$found"

# kind_clean KIND: no violation of that kind in the tree.
kind_clean() {
	! grep "^$1: " "$found" | note
	! grep -q "^$1: " "$found"
}

check "no upward include in core/ (lib, mem, sched, net|fs, kern)" \
    kind_clean layer
check "no OS or C library header in core/" kind_clean os
check "no platform header in core/ (hal/native, hal/sim, sim, ...)" \
    kind_clean platform
check "no file in core/ over $FILE_MAX lines" kind_clean size
check "no function in core/ over $FUNC_MAX lines" kind_clean function

# The check itself, on copies of core/ with one deliberate fault each.
# fails_on NAME FILE LINE PATTERN: with LINE added to FILE, the scan
# fails and reports PATTERN.
fails_on() {
	local d=$scratch/$1 out
	mkdir -p "$d"
	cp -R "$srcdir/core" "$d/"
	chmod -R u+w "$d"
	# The copy must pass as it is, or the case proves nothing.
	if ! out=$("$srcdir/tests/layers.sh" --scan "$d"); then
		printf '%s\n' "$out" | note
		return 1
	fi
	printf '%s\n' "$3" >>"$d/core/$2"
	if out=$("$srcdir/tests/layers.sh" --scan "$d"); then
		echo "the scan passed with \"$3\" in core/$2" | note
		return 1
	fi
	printf '%s\n' "$out" | grep -Eq -- "$4" ||
	    { printf '%s\n' "$out" | note; return 1; }
}

check "the check fails on an upward include (mem includes kern)" \
    fails_on up mem/page.c '#include "core/kern/kern.h"' \
    '^layer: core/mem/page.c: mem includes "core/kern/kern.h"'
check "the check fails on a side include (net includes fs)" \
    fails_on side net/udp.c '#include "core/fs/fs.h"' \
    '^layer: core/net/udp.c: net includes "core/fs/fs.h"'
check "the check fails on an OS header (<stdio.h> in sched)" \
    fails_on os sched/mbox.c '#include <stdio.h>' \
    '^os: core/sched/mbox.c: includes <stdio.h>'
check "the check fails on a platform header (hal/x86_64 in lib)" \
    fails_on platform lib/fmt.c '#include "hal/x86_64/x86.h"' \
    '^platform: core/lib/fmt.c: includes "hal/x86_64/x86.h"'
check "the check fails on an upward public header (lib includes toro/file.h)" \
    fails_on public lib/error.c '#include "toro/file.h"' \
    '^layer: core/lib/error.c: lib includes "toro/file.h"'
check "the check fails on a function over $FUNC_MAX lines" \
    fails_on long lib/error.c "$(printf 'void\ntoo_long(void)\n{\n'
	for i in $(seq 0 $FUNC_MAX); do printf '\t(void)%d;\n' "$i"; done
	printf '}\n')" \
    '^function: core/lib/error.c: too_long\(\) is 81 lines'

# The same rule for calls, on the library the suite built.
linked() {
	local out
	out=$(nm -A libcore-host.a | link_scan) || return 1
	[ -z "$out" ] || { printf '%s\n' "$out" | note; return 1; }
}
if ! command -v nm >/dev/null; then
	skip "no call into a layer above or beside (nm is missing)"
elif [ ! -f libcore-host.a ]; then
	skip "no call into a layer above or beside (libcore-host.a is not built)"
else
	check "no object of the core calls into a layer above or beside it" linked
fi

# And that it can fail: a listing where lib's panic.c calls sched_current.
link_fails() {
	local out
	out=$(printf '%s\n' \
	    'libcore-host.a:libcore_host_a-panic.o:                 U sched_current' \
	    'libcore-host.a:libcore_host_a-sched.o:0000000000000010 T sched_current' |
	    link_scan)
	printf '%s\n' "$out" | grep -q '^link: panic (lib) calls sched_current of sched (sched)$' ||
	    { printf '%s\n' "$out" | note; return 1; }
}
check "the call check fails on lib calling into sched" link_fails
