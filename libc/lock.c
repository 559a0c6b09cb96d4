/*
 * lock.c: the C library's own short locks.
 *
 * Interface: libc_lock(), libc_unlock() on an int that starts at 0.
 * Rules: held only around a few loads and stores, never across a call
 * that can block.  A waiter yields its CPU while it spins, because the
 * holder may be a thread of the same CPU (threads are not preempted):
 * spinning without yielding would then never end.
 */
#include "libc/toroc.h"
#include "toro/thread.h"

void
libc_lock(volatile int *l)
{
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE) != 0)
		while (__atomic_load_n(l, __ATOMIC_RELAXED) != 0)
			toro_yield();
}

void
libc_unlock(volatile int *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}
