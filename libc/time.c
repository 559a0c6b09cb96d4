/*
 * time.c: clocks and sleeping.
 *
 * Interface: libc_clock_gettime(), libc_clock_getres() and
 * libc_clock_nanosleep() (toroc.h), behind clock_gettime, clock_getres,
 * time, gettimeofday, clock, nanosleep, sleep and usleep.
 *
 * Rules: CLOCK_REALTIME is the kernel's wall clock; the monotonic clocks
 * are its time since boot.  The machine runs one program and nothing
 * else, so the process's CPU time (clock()) is the time since boot too,
 * and a thread's is the same: Toro keeps no per-thread accounts.
 */
#include <errno.h>
#include <time.h>

#include "libc/toroc.h"
#include "toro/thread.h"

#define NS 1000000000LL

static int
clock_ns(long clk, int64_t *ns)
{
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ns = toro_wall_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = (int64_t)toro_time_ns();
		return 0;
	default:
		return -EINVAL;
	}
}

long
libc_clock_gettime(long clk, struct timespec *ts)
{
	int64_t ns;
	int r;

	if ((r = clock_ns(clk, &ns)) < 0)
		return r;
	ts->tv_sec = ns / NS;
	ts->tv_nsec = ns % NS;
	return 0;
}

/* Every clock counts in ns (the TSC, or the host's clock in the sim). */
long
libc_clock_getres(long clk, struct timespec *ts)
{
	int64_t ns;
	int r;

	if ((r = clock_ns(clk, &ns)) < 0)
		return r;
	if (ts != NULL) {
		ts->tv_sec = 0;
		ts->tv_nsec = 1;
	}
	return 0;
}

long
libc_clock_nanosleep(
    long clk, long flags, const struct timespec *req, struct timespec *rem)
{
	int64_t now, want;
	int r;

	if (req->tv_nsec < 0 || req->tv_nsec >= NS || req->tv_sec < 0)
		return -EINVAL;
	if (clk == CLOCK_PROCESS_CPUTIME_ID || clk == CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	if ((r = clock_ns(clk, &now)) < 0)
		return r;
	want = req->tv_sec > INT64_MAX / NS - 1
	    ? INT64_MAX
	    : req->tv_sec * NS + req->tv_nsec;
	if (flags & TIMER_ABSTIME)
		want = want > now ? want - now : 0;
	if (want > 0)
		toro_sleep_ns((uint64_t)want);
	/* Nothing interrupts a sleep: none of it remains. */
	if (rem != NULL && !(flags & TIMER_ABSTIME))
		rem->tv_sec = rem->tv_nsec = 0;
	return 0;
}
