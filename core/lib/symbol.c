/*
 * symbol.c: function names for addresses, for reports and panics.
 *
 * Interface: lib_symbolize(addr, buf, len) writes "name+0x1c" for the
 * function holding addr and returns true, or writes "?" and returns
 * false; lib_symbolize_return() does the same for a return address,
 * which it looks up one byte back (a call to a noreturn function may end
 * its caller); lib_symbol_start(addr) is the holder's first byte, or 0.
 * They take no lock and allocate nothing (panics use them).
 *
 * The table is the program's own: every native image and simulator
 * program is linked three times by hal/x86_64/symtab.sh, the last two
 * with lib_symtab, its text symbols (address, size, name) sorted by
 * address.  The table holds link-time addresses; a position-independent
 * program (the sim) runs elsewhere, by the distance between where
 * lib_symbolize is and where the table says it is.  A program linked
 * without the table (the unit tests) has none: lib_symtab is a weak
 * reference and reads as NULL.
 */
#include "core/lib/lib.h"
#include "toro/console.h"

struct lib_sym {
	uint64_t addr;
	uint32_t size;
	uint32_t name; /* offset into the names after the last entry */
};

struct lib_symtab {
	uint64_t ref; /* the link-time address of lib_symbolize */
	uint64_t n;
	struct lib_sym sym[];
};

extern const struct lib_symtab lib_symtab __attribute__((weak));

/* The entry of the function holding run-time address addr, or NULL. */
static const struct lib_sym *
lookup(uintptr_t addr, uint64_t *delta)
{
	const struct lib_symtab *tab = &lib_symtab;
	const struct lib_sym *s;
	uint64_t a, lo = 0, hi;

	if (tab == NULL || tab->n == 0 || tab->ref == 0)
		return NULL;
	*delta = (uintptr_t)lib_symbolize - tab->ref;
	a = addr - *delta;
	/* The last entry whose address is at most a. */
	hi = tab->n;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (tab->sym[mid].addr <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	s = &tab->sym[lo - 1];
	/* Symbols from assembly may have no size: trust them for 64 KiB. */
	if (a - s->addr >= (s->size != 0 ? s->size : 65536u))
		return NULL;
	return s;
}

/* Name addr, found as the function holding addr - back. */
static bool
name(uintptr_t addr, uintptr_t back, char *buf, size_t len)
{
	const struct lib_sym *s;
	uint64_t delta;

	if ((s = lookup(addr - back, &delta)) == NULL) {
		lib_strlcpy(buf, "?", len);
		return false;
	}
	toro_snprintf(buf, len, "%s+%#llx",
	    (const char *)&lib_symtab.sym[lib_symtab.n] + s->name,
	    (unsigned long long)(addr - delta - s->addr));
	return true;
}

bool
lib_symbolize(uintptr_t addr, char *buf, size_t len)
{
	return name(addr, 0, buf, len);
}

/* A call to a noreturn function may be the last instruction. */
bool
lib_symbolize_return(uintptr_t addr, char *buf, size_t len)
{
	return name(addr, 1, buf, len);
}

uintptr_t
lib_symbol_start(uintptr_t addr)
{
	const struct lib_sym *s;
	uint64_t delta;

	if ((s = lookup(addr, &delta)) == NULL)
		return 0;
	return (uintptr_t)(s->addr + delta);
}
