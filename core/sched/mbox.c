/*
 * mbox.c: mailboxes (toro/mbox.h), the lock-free way to pass work between
 * threads on different CPUs.
 *
 * A mailbox is an MPSC queue plus the one thread waiting on it.  The
 * receiver announces itself before it checks the queue a last time, and
 * a sender looks for a receiver only after its push is complete, so a
 * message is never left unseen while its receiver sleeps.
 */
#include "core/sched/sched.h"
#include "toro/errno.h"
#include "toro/mbox.h"
#include "toro/mem.h"

struct toro_mbox {
	struct mpsc_queue q;
	struct toro_thread *waiter;
	int receiving;
};

_Static_assert(sizeof(struct toro_msg) == sizeof(struct mpsc_node),
    "struct toro_msg must match struct mpsc_node");

int
toro_mbox_create(struct toro_mbox **mbp)
{
	struct toro_mbox *mb = toro_calloc(1, sizeof(*mb));

	if (mb == NULL)
		return -TORO_ENOMEM;
	lib_mpsc_init(&mb->q);
	*mbp = mb;
	return 0;
}

void
toro_mbox_destroy(struct toro_mbox *mb)
{
	toro_free(mb);
}

void
toro_mbox_send(struct toro_mbox *mb, struct toro_msg *m)
{
	struct toro_thread *w;

	lib_mpsc_push(&mb->q, (struct mpsc_node *)m);
	w = __atomic_load_n(&mb->waiter, __ATOMIC_SEQ_CST);
	if (w != NULL)
		sched_wake(w);
}

static struct toro_msg *
take(struct toro_mbox *mb)
{
	return (struct toro_msg *)lib_mpsc_pop(&mb->q);
}

int
toro_mbox_recv(struct toro_mbox *mb, struct toro_msg **mp, int64_t timeout_ns)
{
	struct toro_thread *self = sched_current();
	uint64_t deadline = HAL_NO_DEADLINE;
	struct toro_msg *m;
	int err = 0;

	if ((m = take(mb)) != NULL) {
		*mp = m;
		return 0;
	}
	if (timeout_ns <= 0)
		return timeout_ns == 0 ? -TORO_EAGAIN : -TORO_EINVAL;
	if (__atomic_exchange_n(&mb->receiving, 1, __ATOMIC_ACQUIRE))
		return -TORO_EBUSY;
	if (timeout_ns != TORO_FOREVER)
		deadline = hal_time_ns() + (uint64_t)timeout_ns;
	__atomic_store_n(&mb->waiter, self, __ATOMIC_SEQ_CST);
	while ((m = take(mb)) == NULL && err == 0)
		err = sched_block(deadline, "mailbox");
	__atomic_store_n(&mb->waiter, NULL, __ATOMIC_SEQ_CST);
	__atomic_store_n(&mb->receiving, 0, __ATOMIC_RELEASE);
	if (m == NULL)
		return err;
	*mp = m;
	return 0;
}
