/*
 * conin.c: console input, toro_console_read() (toro/console.h).
 *
 * Interface: toro_console_read() for threads; sched_console_input() for
 * the scheduler, which calls it on CPU 0 when the platform posts
 * HAL_EV_CONSOLE.  Rules: one reader at a time (another gets
 * -TORO_EBUSY); the reader registers, then looks once more before it
 * sleeps, so input that came in between is never missed.
 */
#include "core/lib/lib.h"
#include "core/sched/sched.h"
#include "toro/console.h"
#include "toro/errno.h"

static struct toro_thread *reader;

int
toro_console_read(char *buf, size_t n)
{
	struct toro_thread *self = sched_current(), *expected;
	size_t got;

	if (n == 0)
		return 0;
	/* The platform copies into buf under its own lock: check it first. */
	if (lib_caller_check(buf, n, true) < 0)
		return -TORO_EFAULT;
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
sched_console_input(void)
{
	struct toro_thread *t = __atomic_load_n(&reader, __ATOMIC_SEQ_CST);

	if (t != NULL)
		sched_wake(t);
}
