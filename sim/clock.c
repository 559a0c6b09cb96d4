/*
 * clock.c: the machine's clocks.
 *
 * Interface: sim_clock_ns() is CLOCK_MONOTONIC relative to machine start
 * (sim_clock_init(), the first thing the machine does); sim_clock_wall_ns()
 * is CLOCK_REALTIME; sim_clock_host_ns() turns a machine time back into
 * host CLOCK_MONOTONIC, for absolute futex timeouts.
 *
 * Rules: callable from any thread; never fails after sim_clock_init().
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "sim/sim.h"

static uint64_t start_ns;

static uint64_t
read_clock(clockid_t id, const char *name)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) == -1)
		sim_fatal("clock_gettime(%s): %s", name, strerror(errno));
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
sim_clock_init(void)
{
	start_ns = read_clock(CLOCK_MONOTONIC, "CLOCK_MONOTONIC");
}

uint64_t
sim_clock_ns(void)
{
	return read_clock(CLOCK_MONOTONIC, "CLOCK_MONOTONIC") - start_ns;
}

int64_t
sim_clock_wall_ns(void)
{
	return (int64_t)read_clock(CLOCK_REALTIME, "CLOCK_REALTIME");
}

uint64_t
sim_clock_host_ns(uint64_t t)
{
	if (t > UINT64_MAX - start_ns)
		return UINT64_MAX;
	return start_ns + t;
}
