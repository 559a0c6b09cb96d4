/*
 * call.c: the cross-CPU call: a request served on another CPU (or this
 * one) while the caller sleeps, and its answer.  The file system and the
 * sockets send every call this way, to the CPU that runs them.
 *
 * Interface: sched_call() and sched_reply() (sched.h); their rules are
 * at sched_call() below.  The request travels as one scheduler message,
 * there and back, so the call is touched by one CPU at a time and takes
 * no lock: posted to the server's CPU, it belongs to the server until
 * sched_reply() posts it back; back on the caller's CPU, answered()
 * marks it done and wakes the caller.  The caller's thread is not
 * running while answered() runs, so it cannot return (and take the call
 * off its stack) before the answer is complete.
 */
#include "core/sched/sched.h"
#include "toro/errno.h"

/* On the server's CPU, in its scheduler. */
static void
arrive(struct sched_msg *m)
{
	struct sched_call *c = container_of(m, struct sched_call, msg);

	c->serve(c);
}

/* On the caller's CPU, in its scheduler: the answer is in. */
static void
answered(struct sched_msg *m)
{
	struct sched_call *c = container_of(m, struct sched_call, msg);

	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	sched_wake(c->caller);
}

/*
 * Run serve(c) on `cpu`, in its scheduler, and sleep (waiting for
 * `reason`) until the server answers with sched_reply(c, result); return
 * that result.
 *
 * Rules, for every cross-CPU call in the kernel:
 * - The caller must be able to sleep: not the idle thread, not a message
 *   or event handler (both run inside a scheduler), not a trap or a
 *   watchdog report (interrupt context).  The first two get
 *   -TORO_EDEADLK; the last never reach the core's services.
 * - While it waits, the caller touches nothing the call carries: c and
 *   whatever c's request points at (buffers, paths, results) belong to
 *   the server, which reads and writes them in place, from its CPU.
 *   They live on the caller's stack, so the caller waits for the answer
 *   however long it takes; a deadline is the server's to keep.
 * - serve() runs in the server CPU's scheduler: it must not block; it
 *   answers at once or hands c to a thread or a queue that answers
 *   later.  The server answers exactly once, with sched_reply(), and
 *   touches c and its request no more after it.
 */
long
sched_call(int cpu, struct sched_call *c, void (*serve)(struct sched_call *),
    const char *reason)
{
	struct sched_cpu *me = sched_this_cpu();

	if (me->cur->idle || me->handling)
		return -TORO_EDEADLK;
	c->caller = me->cur;
	c->serve = serve;
	c->done = 0;
	c->msg.fn = arrive;
	sched_post(cpu, &c->msg);
	while (!__atomic_load_n(&c->done, __ATOMIC_ACQUIRE))
		sched_block(HAL_NO_DEADLINE, reason);
	return c->result;
}

void
sched_reply(struct sched_call *c, long result)
{
	c->result = result;
	c->msg.fn = answered;
	/* From here on the call belongs to the caller's CPU. */
	sched_post(c->caller->cpu, &c->msg);
}
