/*
 * resource.c: resource limits, usage and the file mode mask.
 *
 * Interface: libc_prlimit(), libc_getrusage() and libc_umask() (toroc.h),
 * behind getrlimit, setrlimit, prlimit, getrusage and umask.
 *
 * Rules: one process (pid 0 or 1), whose user may raise a hard limit as
 * root may, up to what the machine has.  RLIMIT_NOFILE is the descriptor
 * table's size (fd.c), and lowering it is kept: descriptors at or above
 * it are not handed out (EMFILE).  Every other limit is RLIM_INFINITY,
 * since nothing on Toro is counted against it; a program may set it and
 * reads back what it set, as on Linux, but nothing enforces it.  The
 * process's CPU time is the time since boot, as clock() says (time.c);
 * the mode mask is kept and returned, though FAT keeps no modes.
 */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "libc/toroc.h"
#include "toro/toro.h"

/* The process: a machine that runs one program. */
#define PID 1

static int lock;
static struct rlimit limits[RLIM_NLIMITS];
static int limits_set[RLIM_NLIMITS]; /* 0: still the machine's */
static unsigned mask = 022;

static struct rlimit
current(int res)
{
	struct rlimit r = { RLIM_INFINITY, RLIM_INFINITY };

	if (limits_set[res])
		return limits[res];
	if (res == RLIMIT_NOFILE)
		r.rlim_cur = r.rlim_max = LIBC_FD_MAX;
	return r;
}

long
libc_prlimit(long pid, long res, const struct rlimit *new, struct rlimit *old)
{
	struct rlimit r;

	if (pid != 0 && pid != PID)
		return -ESRCH;
	if (res < 0 || res >= RLIM_NLIMITS)
		return -EINVAL;
	if (new != NULL) {
		r = *new;
		if (r.rlim_cur > r.rlim_max)
			return -EINVAL;
		/* The table has no more slots than that. */
		if (res == RLIMIT_NOFILE && r.rlim_max > LIBC_FD_MAX)
			return -EPERM;
	}
	libc_lock(&lock);
	if (old != NULL)
		*old = current((int)res);
	if (new != NULL) {
		limits[res] = r;
		limits_set[res] = 1;
		if (res == RLIMIT_NOFILE)
			libc_fd_set_limit((long)r.rlim_cur);
	}
	libc_unlock(&lock);
	return 0;
}

long
libc_getrusage(long who, struct rusage *ru)
{
	uint64_t us = toro_time_ns() / 1000;

	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN &&
	    who != RUSAGE_THREAD)
		return -EINVAL;
	memset(ru, 0, sizeof(*ru));
	/* No child ever runs; the program's time is the machine's. */
	if (who != RUSAGE_CHILDREN) {
		ru->ru_utime.tv_sec = (time_t)(us / 1000000);
		ru->ru_utime.tv_usec = (suseconds_t)(us % 1000000);
	}
	return 0;
}

long
libc_umask(long m)
{
	return (long)__atomic_exchange_n(
	    &mask, (unsigned)m & 0777, __ATOMIC_RELAXED);
}
