/*
 * spin.c: spin locks (declared in klib.h).
 *
 * Test-and-test-and-set: waiters spin on a plain load so the lock's cache
 * line stays shared until it is released.
 */
#include "core/lib/klib.h"
#include "hal/hal.h"

void
lib_spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			hal_cpu_relax();
}

void
lib_spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}
