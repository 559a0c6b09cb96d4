/*
 * console.c: kernel and application console output, and console input.
 *
 * One lock serializes output so that each printf call appears whole.  A
 * call formats into a small buffer and writes it out in pieces, holding
 * the lock throughout; threads are not preempted, so holders are short.
 * The lock knows its holder, so that a thread that faults while
 * formatting (a bad %s pointer) does not keep it (kern_console_abandon).
 * Input: a thread blocked in toro_console_read() is woken when the
 * platform posts HAL_EV_CONSOLE to CPU 0.
 */
#include "core/kern/kern.h"
#include "core/lib/fmt.h"
#include "core/sched/sched.h"
#include "toro/console.h"
#include "toro/errno.h"

struct line_sink {
	struct fmt_sink sink;
	char buf[256];
	size_t used;
};

static struct spinlock lock;
static struct toro_thread *holder; /* of the lock */
static struct toro_thread *reader;

static void
flush(struct line_sink *ls)
{
	if (ls->used > 0)
		hal_console_write(ls->buf, ls->used);
	ls->used = 0;
}

static void
line_put(struct fmt_sink *s, const char *p, size_t n)
{
	struct line_sink *ls = (struct line_sink *)s;
	size_t k;

	while (n > 0) {
		if (ls->used == sizeof(ls->buf))
			flush(ls);
		k = MIN(n, sizeof(ls->buf) - ls->used);
		memcpy(ls->buf + ls->used, p, k);
		ls->used += k;
		p += k;
		n -= k;
	}
}

int
toro_vprintf(const char *fmt, va_list ap)
{
	struct line_sink ls = { .sink = { line_put }, .used = 0 };
	int n;

	kern_spin_lock(&lock);
	holder = sched_current();
	n = fmt_vformat(&ls.sink, fmt, ap);
	flush(&ls);
	holder = NULL;
	kern_spin_unlock(&lock);
	return n;
}

int
toro_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = toro_vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int
kern_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = toro_vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int
toro_puts(const char *s)
{
	return toro_printf("%s\n", s);
}

int
toro_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return fmt_vsnprintf(buf, size, fmt, ap);
}

int
toro_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void
kern_console_abandon(struct toro_thread *t)
{
	if (t != NULL && __atomic_load_n(&holder, __ATOMIC_RELAXED) == t) {
		holder = NULL;
		kern_spin_unlock(&lock);
	}
}

/* Write without the lock: for a panic, which must get out. */
void
kern_console_force(const char *s, size_t n)
{
	hal_console_write(s, n);
}

void
kern_printf_force(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kern_console_force(buf, (size_t)MIN(n, (int)sizeof(buf) - 1));
}

int
toro_console_read(char *buf, size_t n)
{
	struct toro_thread *self = sched_current(), *expected;
	size_t got;

	if (n == 0)
		return 0;
	for (;;) {
		got = hal_console_read(buf, n);
		if (got > 0)
			return (int)got;
		expected = NULL;
		if (!__atomic_compare_exchange_n(&reader, &expected, self,
		    false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			return -TORO_EBUSY;
		/* Input that came before we registered is read here. */
		got = hal_console_read(buf, n);
		if (got == 0)
			sched_block(HAL_NO_DEADLINE, "console");
		__atomic_store_n(&reader, NULL, __ATOMIC_SEQ_CST);
		if (got > 0)
			return (int)got;
	}
}

void
kern_console_input(void)
{
	struct toro_thread *t = __atomic_load_n(&reader, __ATOMIC_SEQ_CST);

	if (t != NULL)
		sched_wake(t);
}
