/*
 * time.c: the clocks of hal.h on the simulated machine.
 *
 * Interface: hal_time_ns (host CLOCK_MONOTONIC since the machine started),
 * hal_wall_ns (host CLOCK_REALTIME) and hal_boot_phases (the machine's
 * start), from sim/clock.c.
 */
#include "hal/hal.h"
#include "sim/sim.h"

uint64_t
hal_time_ns(void)
{
	return sim_clock_ns();
}

int64_t
hal_wall_ns(void)
{
	return sim_clock_wall_ns();
}

int
hal_boot_phases(struct hal_boot_phase *p, int max)
{
	const char *names[HAL_BOOT_PHASES_MAX];
	uint64_t ns[HAL_BOOT_PHASES_MAX];
	int i, n;

	if (max > HAL_BOOT_PHASES_MAX)
		max = HAL_BOOT_PHASES_MAX;
	n = sim_clock_marks(names, ns, max);
	for (i = 0; i < n; i++) {
		p[i].name = names[i];
		p[i].ns = ns[i];
	}
	return n;
}
