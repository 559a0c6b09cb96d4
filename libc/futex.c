/*
 * futex.c: futexes across CPUs, for musl's locks.
 *
 * Interface: libc_futex(addr, op, val, timeout) with FUTEX_WAIT and
 * FUTEX_WAKE (private or not: there is one address space), as musl's
 * mutexes, condition variables, rwlocks, once and stdio locks use them.
 *
 * Rules: a waiter queues itself in the bucket of its address, checks
 * the word under the bucket's lock, and sleeps on a mailbox of its own;
 * a waker takes waiters off the queue under the same lock and sends
 * each a message, so a wake is never lost between the check and the
 * sleep, on this CPU or another.  A waiter that times out takes itself
 * off the queue, or, if a waker got there first, takes the message it
 * was sent, so no message outlives its waiter.
 */
#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "libc/toroc.h"
#include "toro/toro.h"

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_CMD_MASK 0x7f /* without PRIVATE and CLOCK_REALTIME */
#define BUCKETS 64

struct waiter {
	struct toro_msg msg; /* first: the mailbox hands it back */
	struct waiter *next;
	volatile int *addr;
	struct toro_mbox *mb;
};

struct bucket {
	int lock;
	struct waiter *head;
};

static struct bucket buckets[BUCKETS];

static struct bucket *
bucket_of(volatile int *addr)
{
	return &buckets[((uintptr_t)addr >> 2) % BUCKETS];
}

/* Take w off b's queue; 1 if it was still there. */
static int
unqueue(struct bucket *b, struct waiter *w)
{
	struct waiter **p;

	for (p = &b->head; *p != NULL; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			return 1;
		}
	return 0;
}

static long
futex_wait(volatile int *addr, int val, const struct timespec *timeout)
{
	struct bucket *b = bucket_of(addr);
	struct toro_msg *m;
	struct waiter w;
	int64_t ns = TORO_FOREVER;
	long r;

	if (timeout != NULL) {
		if (timeout->tv_sec < 0 || timeout->tv_nsec < 0 ||
		    timeout->tv_nsec >= 1000000000)
			return -EINVAL;
		if (timeout->tv_sec < INT64_MAX / 1000000000 - 1)
			ns = timeout->tv_sec * 1000000000 + timeout->tv_nsec;
	}
	if ((r = toro_mbox_create(&w.mb)) < 0)
		return r;
	w.addr = addr;
	libc_lock(&b->lock);
	if (__atomic_load_n(addr, __ATOMIC_SEQ_CST) != val) {
		libc_unlock(&b->lock);
		toro_mbox_destroy(w.mb);
		return -EAGAIN;
	}
	w.next = b->head;
	b->head = &w;
	libc_unlock(&b->lock);
	r = toro_mbox_recv(w.mb, &m, ns);
	if (r == -TORO_ETIMEDOUT) {
		libc_lock(&b->lock);
		if (unqueue(b, &w))
			r = -ETIMEDOUT;
		else
			r = 1; /* woken as the time ran out: take it */
		libc_unlock(&b->lock);
		if (r == 1)
			r = toro_mbox_recv(w.mb, &m, TORO_FOREVER);
	}
	toro_mbox_destroy(w.mb);
	return r;
}

static long
futex_wake(volatile int *addr, int n)
{
	struct bucket *b = bucket_of(addr);
	struct waiter **p, *w, *woken = NULL;
	long count = 0;

	libc_lock(&b->lock);
	for (p = &b->head; *p != NULL && count < n;) {
		w = *p;
		if (w->addr == addr) {
			*p = w->next;
			w->next = woken;
			woken = w;
			count++;
		} else
			p = &w->next;
	}
	libc_unlock(&b->lock);
	/* Outside the lock: the send may wake a thread of another CPU. */
	while (woken != NULL) {
		w = woken;
		woken = w->next;
		toro_mbox_send(w->mb, &w->msg);
	}
	return count;
}

long
libc_futex(
    volatile int *addr, long op, long val, const struct timespec *timeout)
{
	switch (op & FUTEX_CMD_MASK) {
	case FUTEX_WAIT:
		return futex_wait(addr, (int)val, timeout);
	case FUTEX_WAKE:
		return futex_wake(addr, val < 0 ? INT32_MAX : (int)val);
	default:
		return -ENOSYS;
	}
}
