#!/bin/sh
# symtab.sh: link a program so that it carries a table of its own
# functions, for lib_symbolize() (core/lib/symbol.c).
#
# usage: symtab.sh LINK-COMMAND...   (the command holds -o OUTPUT)
#
# The table is data placed among the program's own, so it can only list
# the addresses of a link it is part of.  Hence three links, each with a
# generated table object added at the end of the command: the first with
# an empty table; the second with the first's functions, which moves
# whatever follows the table; the third with the second's, a table of the
# same size (same names, only the addresses differ), so nothing moves any
# more.  The script checks that it did not: the third link's functions
# must sit where the second's did.  Used for ELF x86-64 programs, native
# and sim alike; needs nm.
set -eu

out=
prev=
for a in "$@"; do
	if [ "$prev" = "-o" ]; then out=$a; fi
	prev=$a
done
if [ -z "$out" ]; then
	echo "symtab.sh: no -o OUTPUT in the link command" >&2
	exit 1
fi
cc=$1
tab=$out.symtab
trap 'rm -f "$tab".s "$tab".o "$tab".1 "$tab".2 "$tab".3' EXIT

# The text symbols of $1, sorted by address: "address size name".
functions() {
	nm -n -S --defined-only "$1" | awk '
	NF == 4 && $3 ~ /^[tTwW]$/ { print $1, $2, $4 }
	NF == 3 && $2 ~ /^[tTwW]$/ { print $1, "0", $3 }'
}

# Write the table for the symbol list in $1 ("" for an empty one) as
# assembly and assemble it (struct lib_symtab in symbol.c).
table() {
	awk -v ref=lib_symbolize '
	BEGIN { n = 0 }
	{ addr[n] = $1; size[n] = $2; name[n] = $3; n++ }
	$3 == ref { refaddr = $1 }
	END {
		print "\t.section .rodata.lib_symtab, \"a\""
		print "\t.balign 8"
		print "\t.globl lib_symtab"
		print "lib_symtab:"
		printf "\t.quad 0x%s\n", refaddr == "" ? "0" : refaddr
		printf "\t.quad %d\n", n
		off = 0
		for (i = 0; i < n; i++) {
			printf "\t.quad 0x%s\n\t.long 0x%s\n\t.long %d\n",
			    addr[i], size[i], off
			off += length(name[i]) + 1
		}
		for (i = 0; i < n; i++)
			printf "\t.asciz \"%s\"\n", name[i]
		print "\t.section .note.GNU-stack, \"\", @progbits"
	}' ${1:+"$1"} </dev/null >"$tab.s"
	"$cc" -c -o "$tab.o" "$tab.s"
}

table ""
"$@" "$tab.o"
functions "$out" >"$tab.1"
table "$tab.1"
"$@" "$tab.o"
functions "$out" >"$tab.2"
table "$tab.2"
"$@" "$tab.o"
functions "$out" >"$tab.3"
if ! cmp -s "$tab.2" "$tab.3"; then
	echo "symtab.sh: $out: functions moved between the last two links" >&2
	rm -f "$out"
	exit 1
fi
