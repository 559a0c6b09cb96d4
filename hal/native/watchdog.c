/*
 * watchdog.c: the watchdog of hal.h on bare metal.
 *
 * Interface: hal_watchdog_start() and hal_watchdog_interrupt() from
 * hal.h; hal_watchdog_idle() from hal_cpu_wait(), which runs the core's
 * check when one is due and returns when the next one is;
 * hal_watchdog_nmi() from the NMI vector.
 *
 * The core runs with interrupts off, so a CPU whose thread loops never
 * sees its own timer.  Other CPUs watch it instead, while they idle: an
 * idle CPU wakes every period to run sched_watchdog_check(), which sends
 * a stuck CPU an NMI (an NMI ignores the interrupt flag), whose handler
 * reports from the interrupted registers.  So a stuck CPU is seen only
 * while another CPU idles now and then; on a 1-CPU machine, never.
 *
 * Rules: an NMI that finds its CPU's `watchdog` flag set is the
 * watchdog's; any other NMI means what trap.c says.
 */
#include "hal/native/native.h"

#define ICR_NMI 0x4400u /* NMI, level assert */

static uint64_t period;

int
hal_watchdog_start(uint64_t period_ns)
{
	period = period_ns;
	return 0;
}

uint64_t
hal_watchdog_idle(struct hal_pcpu *c, uint64_t now)
{
	if (period == 0)
		return HAL_NO_DEADLINE;
	if (now >= c->watchdog_next) {
		sched_watchdog_check();
		c->watchdog_next = now + period;
	}
	return c->watchdog_next;
}

void
hal_watchdog_interrupt(int cpu)
{
	struct hal_pcpu *c;

	if (cpu < 0 || cpu >= hal_ncpus || !hal_pcpus[cpu].started)
		return;
	c = &hal_pcpus[cpu];
	__atomic_store_n(&c->watchdog, 1, __ATOMIC_SEQ_CST);
	hal_lapic_ipi(c->apic_id, ICR_NMI);
}

bool
hal_watchdog_nmi(const struct hal_trap_frame *f)
{
	if (!__atomic_exchange_n(
		&hal_this_cpu()->watchdog, 0, __ATOMIC_SEQ_CST))
		return false;
	sched_watchdog_report(f->rip, f->rsp, f->rbp);
	return true;
}
