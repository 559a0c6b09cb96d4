/*
 * machine.c: memory, boot information and power of hal.h on the simulated
 * machine.
 *
 * Interface: hal_mem_regions (the RAM mapping of sim/memory.c, whole),
 * hal_stack_guard and hal_stack_unguard (mprotect on that mapping: the
 * whole process sees it at once), hal_cmdline (the words after the
 * simulator's options), hal_exit (the machine's power switch,
 * sim/power.c) and hal_stop_signal (the host signal that asked for the
 * stop, sim/hostloop.c).
 */
#include <signal.h>

#include "hal/hal.h"
#include "sim/sim.h"

int
hal_mem_regions(struct hal_mem_region *r, int max)
{
	if (max < 1)
		return 0;
	r[0].base = (uintptr_t)sim_memory_base();
	r[0].size = sim_memory_size();
	return 1;
}

void
hal_stack_guard(void *page)
{
	sim_memory_protect(page, HAL_STACK_GUARD, false);
}

void
hal_stack_unguard(void *page)
{
	sim_memory_protect(page, HAL_STACK_GUARD, true);
}

const char *
hal_cmdline(void)
{
	return sim_config.cmdline;
}

void
hal_exit(int status)
{
	sim_exit(status);
}

int
hal_stop_signal(void)
{
	int sig = __atomic_load_n(&sim_stop_sig, __ATOMIC_ACQUIRE);

	return sig == SIGTERM ? HAL_SIGTERM : HAL_SIGINT;
}
