/*
 * wait.c: the event model: pending bits, idle sleep and wake-ups.
 *
 * Interface: hal_cpu_set_idle(), hal_cpu_wait(), hal_cpu_poll(),
 * hal_cpu_kick(), hal_cpu_relax() from hal.h; hal_cpu_post(cpu, bits), the kick
 * with any event bits, for device interrupt handlers.
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
 *
 * Idle policies (hal_cpu_set_idle): halt is the above; poll spins with
 * interrupts on for a while first; mwait replaces hlt with MONITOR on
 * the pending word and MWAIT, so a kicker only stores its bit (sleeping
 * says 2, not 1) and device interrupts and the LAPIC deadline still end
 * the wait ("sti; mwait", like "sti; hlt", loses none of them).
 */
#include "hal/native/native.h"
#include "toro/errno.h"

#define SLEEP_HLT 1
#define SLEEP_MWAIT 2

static enum hal_idle idle_how = HAL_IDLE_HALT;
static uint64_t idle_poll_ns;

int
hal_cpu_set_idle(enum hal_idle how, uint64_t poll_ns)
{
	uint32_t r[4];

	switch (how) {
	case HAL_IDLE_HALT:
		break;
	case HAL_IDLE_POLL:
		idle_poll_ns = poll_ns;
		break;
	case HAL_IDLE_MWAIT:
		/* CPUID.1:ECX bit 3: MONITOR and MWAIT. */
		hal_cpuid(1, 0, r);
		if (!(r[2] & (1u << 3)))
			return -TORO_EOPNOTSUPP;
		break;
	default:
		return -TORO_EINVAL;
	}
	idle_how = how;
	return 0;
}

/*
 * Spin with interrupts on until an event, the deadline or poll_ns from
 * now.  Nobody sends this CPU an IPI meanwhile (sleeping is 0): it sees
 * a kick's bit itself, and device interrupts still come in.
 */
static uint32_t
spin(struct hal_pcpu *c, uint64_t deadline)
{
	uint64_t end = hal_time_ns() + idle_poll_ns;
	uint32_t ev = 0;

	if (deadline < end)
		end = deadline;
	__asm__ volatile("sti" : : : "memory");
	while (hal_time_ns() < end) {
		if (__atomic_load_n(&c->pending, __ATOMIC_RELAXED) != 0 &&
		    (ev = __atomic_exchange_n(
			 &c->pending, 0, __ATOMIC_SEQ_CST)) != 0)
			break;
		__asm__ volatile("pause");
	}
	__asm__ volatile("cli" : : : "memory");
	return ev;
}

/* Sleep until an interrupt; with mwait, also until pending is written. */
static void
doze(struct hal_pcpu *c)
{
	if (idle_how != HAL_IDLE_MWAIT) {
		__asm__ volatile("sti; hlt; cli" : : : "memory");
		return;
	}
	__asm__ volatile("monitor" : : "a"(&c->pending), "c"(0), "d"(0));
	/* A kick between the caller's check and monitor: not missed. */
	if (__atomic_load_n(&c->pending, __ATOMIC_SEQ_CST) != 0)
		return;
	/*
	 * The nop: QEMU's TCG (SMP) makes MWAIT a pause that leaves the CPU
	 * loop with sti's one-instruction interrupt shadow still on, and the
	 * shadow then covers the next instruction; were it the cli, no
	 * interrupt would ever be taken here (no NIC, no LAPIC timer).
	 */
	__asm__ volatile("sti; mwait; nop; cli" : : "a"(0), "c"(0) : "memory");
}

uint32_t
hal_cpu_wait(uint64_t deadline)
{
	struct hal_pcpu *c = hal_this_cpu();
	uint32_t ev;
	uint64_t now, wake, t;

	if (idle_how == HAL_IDLE_POLL && (ev = spin(c, deadline)) != 0)
		return ev;
	for (;;) {
		__atomic_store_n(&c->sleeping,
		    idle_how == HAL_IDLE_MWAIT ? SLEEP_MWAIT : SLEEP_HLT,
		    __ATOMIC_SEQ_CST);
		ev = __atomic_exchange_n(&c->pending, 0, __ATOMIC_SEQ_CST);
		if (ev != 0)
			break;
		now = hal_time_ns();
		if (deadline != HAL_NO_DEADLINE && now >= deadline)
			break;
		/* An idle CPU also watches the others (watchdog.c). */
		wake = hal_watchdog_idle(c, now);
		/* CPU 0 also refines the TSC's rate now and then (time.c). */
		if (c->id == 0 && (t = hal_time_idle(now)) < wake)
			wake = t;
		if (deadline < wake)
			wake = deadline;
		hal_lapic_oneshot(wake == HAL_NO_DEADLINE ? 0 : wake - now);
		doze(c);
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
	/* A CPU in mwait wakes on the store itself. */
	if (c != hal_this_cpu() &&
	    __atomic_load_n(&c->sleeping, __ATOMIC_SEQ_CST) == SLEEP_HLT)
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
