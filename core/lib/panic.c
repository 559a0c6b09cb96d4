/*
 * panic.c: stopping the machine on a kernel bug, with what is known.
 *
 * A panic prints the message, the CPU and thread, the registers and a
 * frame-pointer backtrace with function names (the core is built with
 * frame pointers; symbol.c knows the names), then powers off with
 * LIB_PANIC_STATUS.  It takes no lock: it must get out even if the
 * console lock is held.  What it says of the thread comes from the
 * hook the scheduler sets (lib_set_where, lib.h).
 */
#include "core/lib/fmt.h"
#include "core/lib/lib.h"
#include "hal/hal.h"

static int panicking;
static bool (*where)(struct lib_where *w);

void
lib_set_where(bool (*fn)(struct lib_where *w))
{
	where = fn;
}

/* The running thread, or false outside any (or before the scheduler). */
static bool
here(struct lib_where *w)
{
	w->lo = 0;
	w->hi = UINTPTR_MAX;
	return where != NULL && where(w);
}

void
lib_backtrace_from(uintptr_t fp, uintptr_t lo, uintptr_t hi)
{
	uintptr_t ret[32];
	char sym[96];
	int i, n;

	lib_printf_force("backtrace:\n");
	n = hal_frames(fp, lo, hi, ret, (int)nitems(ret));
	for (i = 0; i < n; i++) {
		lib_symbolize_return(ret[i], sym, sizeof(sym));
		lib_printf_force("  #%d %p %s\n", i, (void *)ret[i], sym);
	}
}

void
lib_backtrace(void)
{
	struct lib_where w;

	here(&w);
	lib_backtrace_from((uintptr_t)__builtin_frame_address(0), w.lo, w.hi);
}

void
lib_panic(const char *fmt, ...)
{
	struct lib_where w;
	char buf[256];
	va_list ap;

	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST))
		hal_exit(LIB_PANIC_STATUS);
	va_start(ap, fmt);
	lib_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	lib_printf_force("\ntoro: panic: %s\n", buf);
	if (here(&w))
		lib_printf_force("toro: on CPU %d in thread %s\n", w.cpu,
		    w.thread);
	hal_dump_registers();
	lib_backtrace();
	hal_exit(LIB_PANIC_STATUS);
}
