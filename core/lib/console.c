/*
 * console.c: console output for the kernel and the application, the one
 * printf (toro_printf, toro/console.h) and the lock-free writes of
 * reports (lib.h).  Input is the scheduler's (sched/conin.c): a reader
 * waits.
 *
 * One lock serializes output so that each printf call appears whole.  A
 * call formats into a small buffer and writes it out in pieces, holding
 * the lock throughout; threads are not preempted, so holders are short.
 * The lock knows the CPU that holds it, so that a thread that faults
 * while formatting (a bad %s pointer) does not keep it
 * (lib_console_abandon).
 */
#include "core/lib/fmt.h"
#include "core/lib/lib.h"
#include "hal/hal.h"
#include "toro/console.h"

struct line_sink {
	struct fmt_sink sink;
	char buf[256];
	size_t used;
};

static struct spinlock lock;
static int holder = -1; /* the CPU that holds the lock */

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

	/* Most pieces fit: one copy, on a path of its own. */
	if (n <= sizeof(ls->buf) - ls->used) {
		memcpy(ls->buf + ls->used, p, n);
		ls->used += n;
		return;
	}
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
	struct line_sink ls;
	int n;

	/* Not an initializer: that would clear the whole buffer first. */
	ls.sink.put = line_put;
	ls.used = 0;
	lib_spin_lock(&lock);
	__atomic_store_n(&holder, hal_cpu_id(), __ATOMIC_RELAXED);
	n = lib_vformat(&ls.sink, fmt, ap);
	flush(&ls);
	__atomic_store_n(&holder, -1, __ATOMIC_RELAXED);
	lib_spin_unlock(&lock);
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
toro_puts(const char *s)
{
	return toro_printf("%s\n", s);
}

int
toro_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return lib_vsnprintf(buf, size, fmt, ap);
}

int
toro_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = lib_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void
lib_console_abandon(void)
{
	if (__atomic_load_n(&holder, __ATOMIC_RELAXED) == hal_cpu_id()) {
		__atomic_store_n(&holder, -1, __ATOMIC_RELAXED);
		lib_spin_unlock(&lock);
	}
}

/* Write without the lock: for a panic, which must get out. */
void
lib_console_force(const char *s, size_t n)
{
	hal_console_write(s, n);
}

void
lib_printf_force(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = lib_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	lib_console_force(buf, (size_t)MIN(n, (int)sizeof(buf) - 1));
}
