/*
 * time.c: the clocks of hal.h on the simulated machine.
 *
 * Interface: hal_time_ns (host CLOCK_MONOTONIC since the machine started)
 * and hal_wall_ns (host CLOCK_REALTIME), from sim/clock.c.
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
