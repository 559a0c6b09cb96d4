/*
 * panic.c: stopping the machine on a kernel bug, with what is known.
 *
 * A panic prints the message, the CPU and thread, the registers and a
 * frame-pointer backtrace with function names (the core is built with
 * frame pointers; symbol.c knows the names), then powers off with
 * KERN_PANIC_STATUS.  It takes no lock: it must get out even if the
 * console lock is held.
 */
#include "core/kern/kern.h"
#include "core/lib/fmt.h"
#include "core/sched/sched.h"

static int panicking;

void
kern_backtrace_from(uintptr_t fp, uintptr_t lo, uintptr_t hi)
{
	uintptr_t ret[32];
	char sym[96];
	int i, n;

	kern_printf_force("backtrace:\n");
	n = hal_frames(fp, lo, hi, ret, (int)nitems(ret));
	for (i = 0; i < n; i++) {
		kern_symbolize_return(ret[i], sym, sizeof(sym));
		kern_printf_force("  #%d %p %s\n", i, (void *)ret[i], sym);
	}
}

void
kern_backtrace(void)
{
	struct toro_thread *t = sched_current();
	uintptr_t lo = 0, hi = UINTPTR_MAX;

	if (t != NULL && t->stack != NULL) {
		lo = (uintptr_t)t->stack;
		hi = lo + t->stack_size;
	}
	kern_backtrace_from((uintptr_t)__builtin_frame_address(0), lo, hi);
}

void
kern_panic(const char *fmt, ...)
{
	struct sched_cpu *c = sched_this_cpu();
	char buf[256];
	va_list ap;

	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST))
		hal_exit(KERN_PANIC_STATUS);
	va_start(ap, fmt);
	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kern_printf_force("\ntoro: panic: %s\n", buf);
	if (c != NULL && c->cur != NULL)
		kern_printf_force("toro: on CPU %d in thread %s\n", c->id, c->cur->name);
	hal_dump_registers();
	kern_backtrace();
	hal_exit(KERN_PANIC_STATUS);
}
