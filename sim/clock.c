/*
 * clock.c: the machine's clocks.
 *
 * Interface: sim_clock_ns() is CLOCK_MONOTONIC relative to machine start
 * (sim_clock_init(), the first thing the machine does); sim_clock_wall_ns()
 * is CLOCK_REALTIME; sim_clock_host_ns() turns a machine time back into
 * host CLOCK_MONOTONIC, for absolute futex timeouts; sim_clock_mark()
 * notes the end of a phase of the machine's start, sim_clock_marks()
 * gives them back (the first, "first instruction", is the start).
 *
 * Rules: callable from any thread; never fails after sim_clock_init().
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "sim/sim.h"

#define MARKS 8

static uint64_t start_ns;
static struct {
	const char *name;
	uint64_t ns;
} marks[MARKS];
static int nmarks;

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
	sim_clock_mark("first instruction");
}

/* Only the thread that starts the machine marks, before CPU 0 runs. */
void
sim_clock_mark(const char *phase)
{
	if (nmarks < MARKS) {
		marks[nmarks].name = phase;
		marks[nmarks++].ns = sim_clock_ns();
	}
}

int
sim_clock_marks(const char **names, uint64_t *ns, int max)
{
	int i;

	for (i = 0; i < nmarks && i < max; i++) {
		names[i] = marks[i].name;
		ns[i] = marks[i].ns;
	}
	return i;
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
