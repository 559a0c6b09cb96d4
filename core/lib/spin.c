/*
 * spin.c: the contended side of the spin locks of klib.h, whose lock
 * and unlock are inline.
 *
 * Test-and-test-and-set: waiters spin on a plain load so the lock's cache
 * line stays shared until it is released.
 */
#include "core/lib/klib.h"
#include "hal/hal.h"

void
lib_spin_wait(struct spinlock *l)
{
	do
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			hal_cpu_relax();
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE));
}
