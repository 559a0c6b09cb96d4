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
kern_backtrace_from(uintptr_t start, uintptr_t lo, uintptr_t hi)
{
	uintptr_t *fp = (uintptr_t *)start;
	char sym[96];
	int depth;

	kern_printf_force("backtrace:\n");
	for (depth = 0; depth < 32; depth++) {
		/* Stop at anything that is not a frame on this stack. */
		if (fp == NULL || ((uintptr_t)fp & 7) != 0 ||
		    (uintptr_t)fp < lo || (uintptr_t)fp + 16 > hi)
			break;
		if (fp[1] == 0)
			break;
		kern_symbolize_return(fp[1], sym, sizeof(sym));
		kern_printf_force("  #%d %p %s\n", depth, (void *)fp[1], sym);
		if (fp[0] <= (uintptr_t)fp)
			break;
		fp = (uintptr_t *)fp[0];
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
