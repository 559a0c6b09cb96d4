/*
 * wait.c: the event model: pending bits, idle sleep and wake-ups.
 *
 * Interface: hal_cpu_wait(), hal_cpu_poll(), hal_cpu_kick(),
 * hal_cpu_relax() from hal.h; hal_cpu_post(cpu, bits), the kick with any
 * event bits, for device interrupt handlers.
 *
 * The core runs with interrupts disabled; a CPU takes interrupts only
 * inside hal_cpu_wait(), in "sti; hlt" (sti delays interrupts by one
 * instruction, so none can slip in between and be missed by the hlt).
 * Handlers only set bits in pending and send EOI.  A kick sets its bit,
 * then sends an IPI only if the target says it is about to sleep: the
 * waiter publishes `sleeping` before it last reads `pending`, the kicker
 * publishes `pending` before it reads `sleeping` (both with full
 * barriers), so at least one of them sees the other and no wake-up is
 * lost.  An IPI that arrives while the target still has interrupts off
 * waits in its LAPIC and ends the next hlt at once.
 */
#include "hal/native/native.h"

uint32_t
hal_cpu_wait(uint64_t deadline)
{
	struct hal_pcpu *c = hal_this_cpu();
	uint32_t ev;
	uint64_t now, wake;

	for (;;) {
		__atomic_store_n(&c->sleeping, 1, __ATOMIC_SEQ_CST);
		ev = __atomic_exchange_n(&c->pending, 0, __ATOMIC_SEQ_CST);
		if (ev != 0)
			break;
		now = hal_time_ns();
		if (deadline != HAL_NO_DEADLINE && now >= deadline)
			break;
		/* An idle CPU also watches the others (watchdog.c). */
		wake = hal_watchdog_idle(c, now);
		if (deadline < wake)
			wake = deadline;
		hal_lapic_oneshot(wake == HAL_NO_DEADLINE ? 0 : wake - now);
		__asm__ volatile("sti; hlt; cli" : : : "memory");
	}
	__atomic_store_n(&c->sleeping, 0, __ATOMIC_RELAXED);
	hal_lapic_oneshot(0);
	return ev;
}

uint32_t
hal_cpu_poll(void)
{
	struct hal_pcpu *c = hal_this_cpu();

	/* A plain load first: the exchange would own the cache line. */
	if (__atomic_load_n(&c->pending, __ATOMIC_RELAXED) == 0)
		return 0;
	return __atomic_exchange_n(&c->pending, 0, __ATOMIC_SEQ_CST);
}

void
hal_cpu_post(int cpu, uint32_t ev)
{
	struct hal_pcpu *c;

	if (cpu < 0 || cpu >= hal_ncpus)
		return;
	c = &hal_pcpus[cpu];
	__atomic_fetch_or(&c->pending, ev, __ATOMIC_SEQ_CST);
	if (c != hal_this_cpu() &&
	    __atomic_load_n(&c->sleeping, __ATOMIC_SEQ_CST))
		hal_lapic_ipi(c->apic_id, HAL_VEC_KICK); /* fixed delivery */
}

void
hal_cpu_kick(int cpu)
{
	hal_cpu_post(cpu, HAL_EV_KICK);
}

void
hal_cpu_relax(void)
{
	__asm__ volatile("pause");
}
